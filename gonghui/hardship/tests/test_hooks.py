"""Issue 12, point 2: hardship reacts to its member's lifecycle through members.signals (hooks.py) — members
never names hardship. A transfer moves the open file (test_admin.py::test_open_file_follows_its_member_on_a_
transfer); the end of a membership puts the open file on the review list with the reason in its history."""

import datetime

import pytest
from django.utils import timezone

from gonghui.common.models import AuditEntry
from gonghui.conftest import make_cadre
from gonghui.hardship import actions
from gonghui.hardship.models import FileEvent, HardshipFile
from gonghui.members.actions import end_membership

from .test_actions import open_for

pytestmark = pytest.mark.django_db


def test_end_of_membership_puts_the_open_file_on_the_review_list(tree, member_factory):
    member = member_factory(name="王五")
    cadre = make_cadre(tree["G1111"], "operator")
    file = open_for(member, cadre)
    assert file.review_due > timezone.localdate()
    died = timezone.localdate() - datetime.timedelta(days=3)
    end_membership(member, status="deceased", date=died, by=cadre)
    file.refresh_from_db()
    assert (file.status, file.review_due) == (HardshipFile.Status.OPEN, died)  # not closed behind the cadres' backs
    assert file in actions.review_due(HardshipFile.objects.all())
    event = FileEvent.objects.filter(file=file).latest("id")
    assert (event.note, event.by) == (f"会员已去世（{died:%Y-%m-%d}），档案列入复核", cadre)
    assert AuditEntry.objects.get(action="hardship_member_ended").changes["review_due"][1] == str(died)


def test_end_of_membership_without_an_open_file_changes_no_file(tree, member_factory):
    member = member_factory(name="李四")
    cadre = make_cadre(tree["G1111"], "operator")
    file = open_for(member, cadre)
    actions.close(file=file, reason="relieved", by=cadre)
    end_membership(member, status="left", date=timezone.localdate(), by=cadre)
    assert not AuditEntry.objects.filter(action="hardship_member_ended").exists()
    assert HardshipFile.objects.get(pk=file.pk).status == HardshipFile.Status.CLOSED
