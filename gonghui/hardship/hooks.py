"""Hardship files react to their member's lifecycle (members.signals): members never names this app."""

from django.dispatch import receiver

from gonghui.members import signals
from gonghui.members.models import Member

from . import actions


@receiver(signals.member_transferred, dispatch_uid="hardship_follow_transfer")
def _follow(sender, *, member, by, **kwargs):
    actions.follow_transfer(member, by=by)


@receiver(signals.membership_ended, dispatch_uid="hardship_review_on_end")
def _review(sender, *, member, status, date, by, **kwargs):
    actions.review_on_membership_end(member, status_label=Member.Status(status).label, date=date, by=by)
