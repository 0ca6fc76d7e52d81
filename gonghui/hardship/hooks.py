"""What hardship adds to the engines below it, which never name it: its reactions to a member's lifecycle
(members.signals) and its program on the ledger (先建档后帮扶, the households on file as a disbursement list,
the member's files on their ledger page)."""

from django.dispatch import receiver
from django.urls import reverse

from gonghui.common.errors import DomainError
from gonghui.ledger import programs
from gonghui.members import signals
from gonghui.members.models import Member
from gonghui.orgs.queries import visible_to

from . import actions, queries
from .models import HardshipFile


@receiver(signals.member_transferred, dispatch_uid="hardship_follow_transfer")
def _follow(sender, *, member, by, **kwargs):
    actions.follow_transfer(member, by=by)


@receiver(signals.membership_ended, dispatch_uid="hardship_review_on_end")
def _review(sender, *, member, status, date, by, **kwargs):
    actions.review_on_membership_end(member, status_label=Member.Status(status).label, date=date, by=by)


def _file_before_aid(member, kind) -> dict:
    """先建档后帮扶: a kind flagged `requires_file` pays only a member with an open file; an approval of this
    program names the member's open file, if any."""
    file = queries.open_file_of(member)
    if kind.requires_file and file is None:
        raise DomainError(f"{kind.name}须先建档后帮扶：{member.name}没有在档的困难职工档案，请先建档。")
    return {"hardship_file": file}


def _households_on_file(user, category: str):
    files = visible_to(user, HardshipFile).filter(status=HardshipFile.Status.OPEN)
    if category:
        files = files.filter(category=category)
    ids = list(files.order_by("org__path", "id").values_list("member_id", flat=True))
    by_id = Member.objects.select_related("org").in_bulk(ids)
    return [by_id[i] for i in ids]


def _files_of(user, member) -> list[tuple[str, str]]:
    return [(f"困难职工档案（{f.get_status_display()}，{f.opened_on:%Y-%m-%d}建档）",
             reverse("admin:hardship_hardshipfile_change", args=[f.pk]))
            for f in visible_to(user, member.hardship_files.order_by("-opened_on"))]


programs.register("aid", "困难帮扶", check=_file_before_aid, person_links=_files_of, recipients=programs.Recipients(
    code="files", label="本级及下级工会全部在档困难职工", members=_households_on_file, option_label="困难类别",
    options=HardshipFile.Category.choices, empty="本级及下级工会没有符合条件的在档困难职工。"))
