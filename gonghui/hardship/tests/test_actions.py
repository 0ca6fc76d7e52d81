"""Issue 6 part 1: hardship files — one open file per person (action and database constraint, also under
concurrency on PostgreSQL), opening from an approved hall application, pairing, the yearly review and its
due-list, exit and the closed file kept. Each test names what it covers."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from gonghui.common.errors import DomainError
from gonghui.common.models import AuditEntry
from gonghui.conftest import make_cadre
from gonghui.hall import actions as hall_actions
from gonghui.hall.models import ServiceItem
from gonghui.hardship import actions
from gonghui.hardship.models import FileEvent, HardshipFile
from gonghui.portal import actions as portal_actions
from gonghui.portal.tests.conftest import MOBILE, sign_up

pytestmark = pytest.mark.django_db
HOUSEHOLD = [{"name": "王五", "relation": "本人", "monthly_income": "1800"},
             {"name": "李梅", "relation": "配偶", "monthly_income": "600.50"},
             {"name": "王小", "relation": "子女", "monthly_income": "0"}]


def open_for(member, by, **kwargs):
    return actions.open_file(member=member, level="county", category="relative", household=HOUSEHOLD, by=by,
                             causes=["因病"], **kwargs)


def test_open_file_with_household_per_capita_income_and_audit(tree, member_factory):
    """Part 1: the file, its household, per-capita income (2400.50 / 3 = 800.17), the review a year on."""
    member = member_factory(name="王五")
    cadre = make_cadre(tree["G1111"], "operator")
    file = open_for(member, cadre)
    assert (file.org, file.per_capita_income, file.status) == (tree["G1111"], Decimal("800.17"), "open")
    assert file.review_due == timezone.localdate() + actions.REVIEW_INTERVAL
    assert [h.relation for h in file.household.order_by("id")] == ["本人", "配偶", "子女"]
    assert AuditEntry.objects.get(action="hardship_open").changes["per_capita_income"] == "800.17"


def test_one_open_file_per_person_anywhere(tree, member_factory):
    """Part 1 (一人一档): a second file is refused by the action and by the database constraint; after the
    first is closed, a new one may be opened (relapse)."""
    member = member_factory(name="王五")
    cadre = make_cadre(tree["T111"], "operator")
    first = open_for(member, cadre)
    with pytest.raises(DomainError, match="一人一档"):
        open_for(member, cadre)
    with pytest.raises(IntegrityError), transaction.atomic():
        HardshipFile.objects.create(member=member, org=member.org, level="county", category="deep",
                                    review_due=timezone.localdate(), opened_on=timezone.localdate())
    actions.close(file=first, reason="relieved", by=cadre)
    assert open_for(member, cadre).pk != first.pk
    assert HardshipFile.objects.filter(member=member).count() == 2  # closed, never deleted


def test_outsider_cadre_and_non_member_refused(tree, member_factory):
    """Part 1: a cadre of another subtree cannot open a file; a member whose membership ended cannot get one."""
    member = member_factory(name="王五")
    with pytest.raises(DomainError, match="没有办理"):
        open_for(member, make_cadre(tree["K12"], "operator"))
    with pytest.raises(DomainError, match="家庭成员"):
        actions.open_file(member=member, level="county", category="relative", household=[],
                          by=make_cadre(tree["G1111"], "operator"))
    assert not HardshipFile.objects.exists()


def test_pair_review_due_list_and_exit(tree, member_factory):
    """Part 1: 结对帮扶, the yearly review (动态管理) with its due-list, and exit with a follow-up date."""
    member = member_factory(name="王五")
    cadre = make_cadre(tree["G1111"], "operator")
    file = open_for(member, cadre, opened_on=datetime.date(2025, 3, 1))
    HardshipFile.objects.filter(pk=file.pk).update(review_due=datetime.date(2026, 3, 1))
    with pytest.raises(DomainError, match="建档工会或其上级"):
        actions.pair(file=file, cadre=make_cadre(tree["G1211"], "operator"), by=cadre)
    file = actions.pair(file=file, cadre=make_cadre(tree["T111"], "approver"), by=cadre)
    assert file.paired_cadre.org == tree["T111"]
    assert list(actions.review_due(HardshipFile.objects.all())) == [file]
    file = actions.review(file=file, by=cadre, note="爱人已就业", household=[
        {"name": "王五", "relation": "本人", "monthly_income": "1800"},
        {"name": "李梅", "relation": "配偶", "monthly_income": "2400"}])
    assert file.per_capita_income == Decimal("2100.00") and not actions.review_due(HardshipFile.objects.all())
    with pytest.raises(DomainError, match="返困回访日期应晚于"):
        actions.close(file=file, reason="relieved", by=cadre, follow_up_on=timezone.localdate())
    file = actions.close(file=file, reason="relieved", by=cadre,
                         follow_up_on=timezone.localdate() + datetime.timedelta(days=180))
    assert (file.status, file.exit_reason) == ("closed", "relieved")
    assert [e.kind for e in file.events.all()] == ["opened", "paired", "reviewed", "closed"]
    with pytest.raises(DomainError, match="已退出"):
        actions.review(file=file, by=cadre, note="x")


def test_approved_hall_application_opens_the_file(tree, member_factory, sms_outbox, settings, tmp_path):
    """Part 1: an approved 困难职工帮扶申请 (service hall effect) becomes a file at the approving county level;
    a second approval for someone on file is noted on the existing file."""
    settings.MEDIA_ROOT = tmp_path
    member = member_factory(name="王五", id_number="11010519491231002X", mobile=MOBILE)
    worker = sign_up(sms_outbox)
    portal_actions.bind_member(worker=worker, name="王五", id_number="11010519491231002X")
    item = ServiceItem.objects.get(code="hardship_aid")
    raw = {"name": "王五", "category": "因病致困", "household_size": "3", "monthly_income": "2400",
           "reason": "爱人住院。"}

    def approve_one(n: int):
        proof = SimpleUploadedFile("证明.pdf", b"%PDF-1.4\n%%EOF\n")
        app = hall_actions.file_application(item=item, applicant=worker.user, applicant_org=tree["G1111"],
                                            applicant_name="王五", raw=raw, uploads={"proof": proof})
        app = hall_actions.transition(app, "accept", by=make_cadre(tree["G1111"], "operator", username=f"op{n}"))
        app = hall_actions.transition(app, "approve", by=make_cadre(tree["G1111"], "approver", username=f"ap{n}"))
        return hall_actions.transition(app, "approve", by=make_cadre(tree["K11"], "approver", username=f"county{n}"))

    app = approve_one(1)
    file = HardshipFile.objects.get(member=member)
    assert (file.level, file.causes, file.per_capita_income, file.source_application) == (
        "county", ["因病致困"], Decimal("800.00"), app)
    assert [(h.name, h.relation) for h in file.household.order_by("id")] == [
        ("王五", "本人"), ("待补录", "家庭成员"), ("待补录", "家庭成员")]  # the import's placeholder
    approve_one(2)
    assert HardshipFile.objects.filter(member=member).count() == 1
    assert FileEvent.objects.filter(file=file, kind="updated").count() == 1
    assert AuditEntry.objects.filter(action="hardship_note").count() == 1


def test_approved_hall_application_file_names_the_approving_cadre(tree, member_factory, sms_outbox, settings,
                                                                   tmp_path):
    """Issue 12 point 3 (acting user): the file opened by an approved 困难职工帮扶申请 shows the county approver
    whose approval ran the effect — in its history and in the audit — not an anonymous "trusted" None."""
    settings.MEDIA_ROOT = tmp_path
    member = member_factory(name="王五", id_number="11010519491231002X", mobile=MOBILE)
    worker = sign_up(sms_outbox)
    portal_actions.bind_member(worker=worker, name="王五", id_number="11010519491231002X")
    raw = {"name": "王五", "category": "因病致困", "household_size": "2", "monthly_income": "1000", "reason": "住院。"}
    app = hall_actions.file_application(
        item=ServiceItem.objects.get(code="hardship_aid"), applicant=worker.user, applicant_org=tree["G1111"],
        applicant_name="王五", raw=raw, uploads={"proof": SimpleUploadedFile("证明.pdf", b"%PDF-1.4\n%%EOF\n")})
    app = hall_actions.transition(app, "accept", by=make_cadre(tree["G1111"], "operator"))
    app = hall_actions.transition(app, "approve", by=make_cadre(tree["G1111"], "approver"))
    county = make_cadre(tree["K11"], "approver")
    hall_actions.transition(app, "approve", by=county)
    file = HardshipFile.objects.get(member=member)
    assert file.events.get(kind="opened").by == county
    entry = AuditEntry.objects.get(action="hardship_open")
    assert (entry.actor, entry.actor_name, entry.object_id) == (county, county.username, str(file.pk))


def test_plan_measures_responsible_and_review_date(tree, member_factory):
    """Part 1 (一人一策): the plan is set on the file — measures, responsible cadre, review date — audited and in
    the file's history; an outside responsible cadre, a past review date and a closed file are refused."""
    member = member_factory(name="郑计划")
    cadre = make_cadre(tree["K11"], "operator")
    file = open_for(member, cadre)
    helper = make_cadre(tree["T111"], "operator", username="t111_helper")
    due = timezone.localdate() + datetime.timedelta(days=90)
    file = actions.set_plan(file=file, by=cadre, measures="医疗救助＋就业推荐", responsible=helper, review_due=due)
    assert (file.measures, file.responsible, file.review_due) == ("医疗救助＋就业推荐", helper, due)
    event = file.events.get(kind="updated")
    assert event.note == "更新帮扶计划（一人一策）" and event.detail["measures"] == ["", "医疗救助＋就业推荐"]
    assert AuditEntry.objects.filter(action="hardship_plan").count() == 1
    with pytest.raises(DomainError, match="责任人须为"):
        actions.set_plan(file=file, by=cadre, measures="x", responsible=make_cadre(tree["K21"], "operator"))
    with pytest.raises(DomainError, match="不能早于今天"):
        actions.set_plan(file=file, by=cadre, measures="x", review_due=timezone.localdate() - datetime.timedelta(1))
    actions.close(file=file, reason="relieved", by=cadre)
    with pytest.raises(DomainError, match="已退出"):
        actions.set_plan(file=file, by=cadre, measures="x")


def test_per_capita_income_rounds_half_up(tree, member_factory):
    """Review finding 5: 100.01 / 2 = 50.005 is 50.01 (half up, as the docstring said), not 50.00 (the default
    half-even) — on a file opened by a cadre."""
    assert actions.per_capita_income(Decimal("100.01"), 2) == Decimal("50.01")
    file = actions.open_file(member=member_factory(name="王五"), level="county", category="relative",
                             by=make_cadre(tree["G1111"], "operator"),
                             household=[{"name": "王五", "relation": "本人", "monthly_income": "100.01"},
                                        {"name": "李梅", "relation": "配偶", "monthly_income": "0"}])
    assert file.per_capita_income == Decimal("50.01")


def test_note_on_file_writes_an_event_and_an_audit_entry(tree, member_factory):
    """Review finding 11: a note on a file (the hall's second approval) is an event of the file and an audit entry."""
    cadre = make_cadre(tree["G1111"], "operator")
    file = open_for(member_factory(name="王五"), cadre)
    event = actions.note_on_file(file=file, note="困难职工帮扶申请 X1 审批通过", by=cadre)
    assert (event.kind, event.note, event.by) == ("updated", "困难职工帮扶申请 X1 审批通过", cadre)
    assert AuditEntry.objects.get(action="hardship_note").changes == {"note": "困难职工帮扶申请 X1 审批通过"}
