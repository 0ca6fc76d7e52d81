"""The programs' year in the demo: every program's states at the small scale (through the actions, on their own
days), and the bulk path of the larger scales (the rows the actions would write), on a reduced share."""

import datetime
import io
import types
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.demo import actions, programs
from gonghui.demo.generator import ROOT_CODE, SCALES
from gonghui.hall.models import Application, ApplicationEvent
from gonghui.hardship.models import FileEvent, HardshipFile
from gonghui.ledger import queries as ledger_queries
from gonghui.ledger.models import Approval, Disbursement, Entry, FundSource, PaymentKind
from gonghui.members.models import Member, Transfer
from gonghui.mutualaid.models import Claim, Coverage, Enrolment
from gonghui.orgs.models import Org
from gonghui.portal.models import CardCheck, JoinApplication, MemberCard, QrScan, Worker
from gonghui.stats.registry import compute, differences
from gonghui.stats.targets import Target, progress

AID_KINDS = {"living", "medical", "serious_illness", "education", "warmth", "employment"}
SOURCES = {"central", "provincial", "union", "donation"}


@pytest.fixture(autouse=True)
def fast_hashing(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path  # the hall's attached files


def statuses(model, field: str = "status") -> dict[str, int]:
    return dict(model.objects.values_list(field).annotate(n=Count("id")).order_by())


def year_of_activity() -> tuple[datetime.date, datetime.date]:
    today = timezone.localdate()
    return today - datetime.timedelta(days=programs.YEAR - 1), today


def test_demo_small_gives_every_program_its_states(db):
    """Issue 13, criterion 6 (a demo that exercises everything): at the small scale the hall has applications in
    every state — completed on time and late, rated, returned, rejected, withdrawn, open — join applications in
    every status and channel with cards and QR scans, ≥ 50 hardship files with plans and aid of every kind and
    fund source (some reversed), mutual-aid enrolments and claims paid and refused, and membership changes; all
    dated within the year that ends today, and the figures see them."""
    call_command("demo", stdout=io.StringIO(), stderr=io.StringIO())
    first, today = year_of_activity()

    hall = statuses(Application)
    assert {s: hall.get(s, 0) > 0 for s in ("submitted", "accepted", "returned", "completed", "rejected",
                                            "withdrawn")} == dict.fromkeys(
        ("submitted", "accepted", "returned", "completed", "rejected", "withdrawn"), True)
    done = list(Application.objects.filter(status="completed"))
    late = [a for a in done if timezone.localdate(a.completed_at) > a.due_date]
    assert 0 < len(late) < len(done) and any(a.rating for a in done)
    assert ApplicationEvent.objects.filter(action="resubmit").exists()
    submitted = sorted(timezone.localdate(a.submitted_at) for a in Application.objects.all())
    assert first <= submitted[0] and submitted[-1] <= today
    assert (submitted[-1] - submitted[0]).days > 200  # spread over the year, not stamped at load time

    assert set(statuses(JoinApplication)) == set(JoinApplication.Status.values)
    assert set(statuses(JoinApplication, "channel")) == set(JoinApplication.Channel.values)
    accepted = JoinApplication.objects.filter(status="accepted").select_related("member")
    assert all(a.member.source == Member.Source.ONLINE for a in accepted)
    assert Worker.objects.filter(member__isnull=False).count() >= 30
    assert MemberCard.objects.filter(revoked_at__isnull=False).count() == 1
    assert QrScan.objects.count() > 0 and CardCheck.objects.count() > 0

    files = HardshipFile.objects.all()
    assert files.count() >= 50 and not files.filter(measures="").exists()
    assert files.filter(status="closed", exit_reason="relieved").exists() and files.filter(status="open").exists()
    assert files.filter(paired_cadre__isnull=False).exists() and files.filter(source_application__isnull=False).exists()
    assert FileEvent.objects.filter(kind=FileEvent.Kind.REVIEWED).exists()
    paid = Entry.objects.filter(reversal_of__isnull=True, kind__program="aid")
    assert set(paid.values_list("kind__code", flat=True)) == AID_KINDS
    assert set(paid.values_list("fund_source__code", flat=True)) == SOURCES
    assert Entry.objects.filter(reversal_of__isnull=False).count() == 3
    assert Disbursement.objects.filter(status=Disbursement.Status.PAID).exists()
    assert ledger_queries.differences()[0] == []

    claims = statuses(Claim)
    assert claims.get("approved", 0) > 0 and claims.get("rejected", 0) > 0
    assert Claim.objects.filter(approval__status=Approval.Status.PAID).exists()
    assert Claim.objects.filter(application__isnull=False, approval__status=Approval.Status.PAID).exists()
    assert Enrolment.objects.count() > 1 and Coverage.objects.count() > 100

    assert Transfer.objects.filter(status=Transfer.Status.APPROVED).count() == 6
    assert Member.objects.filter(status_date__gte=first, status_date__lte=today).exists()

    root = Org.objects.get(code=ROOT_CODE)
    figures = compute(root, first, today)
    assert figures["hall.received"] == Application.objects.filter(submitted_at__isnull=False).count()
    assert figures["hardship.helped"] > 40 and figures["hardship.aid_amount"] > Decimal("10")
    assert figures["mutualaid.claims"] == Claim.objects.count()
    assert figures["portal.applications_received"] == JoinApplication.objects.count()

    # Issue 13 part 1: the rollups the demo's writes kept (actions and bulk, then rebuilt) equal the recount by
    # each figure's definition, for every union of the demo and periods past and present.
    for org in Org.objects.order_by("path")[:60]:
        for start, end in [(first, today), (first, first + datetime.timedelta(days=45)),
                           (today.replace(month=1, day=1), today)]:
            assert differences(org, start, end) == [], (org.code, start, end)
    # 目标任务 of the demo county and its towns, with their progress on the dashboard.
    county = Org.objects.get(pk=User.objects.get(username="xian").org_id)
    assert {t.key for t in Target.objects.filter(org=county)} >= {"members.joined"}
    assert progress(county, today.year, today)


def test_demo_bulk_path_writes_what_the_actions_write(db, monkeypatch):
    """Issue 13, criterion 6 at scale: the bulk path of the city and province scales, on 2 % of the province,
    sizes each program by the province's report (43 025 hall applications a year, …), gives the same states
    as the actions, keeps the union's running books equal to the ledger (reconcile-ledger finds nothing) and
    stamps each row on its own day of the year."""
    monkeypatch.setattr(actions, "load_programs", lambda say, **kwargs: None)
    actions.load_demo(scale="small", seed=2026)
    monkeypatch.setattr(programs, "SCALES", SCALES | {"test": types.SimpleNamespace(
        members=round(SCALES["province"].members * 0.02))})
    programs.load_programs(lambda message: None, scale="test", seed=2026)
    first, today = year_of_activity()

    assert Application.objects.count() == round(43_025 * 0.02)
    hall = statuses(Application)
    assert hall["completed"] > 0.85 * Application.objects.count()
    assert {"submitted", "accepted", "returned", "rejected", "withdrawn"} <= set(hall)
    for app in Application.objects.filter(status="completed")[:50]:
        kinds = list(app.events.values_list("action", flat=True))
        assert kinds[:2] == ["create", "submit"] and kinds[-1] == "approve" and "accept" in kinds
        assert app.events.order_by("at", "id").last().at == app.completed_at
    submitted = [timezone.localdate(t) for t in Application.objects.values_list("submitted_at", flat=True)]
    assert min(submitted) >= first - datetime.timedelta(days=2) and max(submitted) <= today

    files = HardshipFile.objects.all()
    assert files.filter(status="open").count() == pytest.approx(0.02 * 14_000, rel=0.1)
    assert not files.filter(household__isnull=True).exists()
    assert set(Entry.objects.filter(kind__program="aid").values_list("kind__code", flat=True)) == AID_KINDS
    assert Entry.objects.filter(reversal_of__isnull=False).exists()
    assert ledger_queries.differences()[0] == []
    warmth = PaymentKind.objects.get(code="warmth")
    assert not Approval.objects.filter(kind__requires_file=True, hardship_file__isnull=True).exists()
    assert Approval.objects.filter(kind=warmth, batch__isnull=False).count() == Approval.objects.filter(
        kind=warmth).count()
    assert FundSource.objects.filter(code__in=SOURCES).count() == len(SOURCES)

    accepted = JoinApplication.objects.filter(status="accepted")
    assert accepted.exists() and not accepted.exclude(member__source=Member.Source.ONLINE).exists()
    assert {"returned", "withdrawn", "submitted"} <= set(statuses(JoinApplication))

    paid_claims = Claim.objects.filter(status="approved")
    assert paid_claims.exists() and not paid_claims.filter(approval__isnull=True).exists()
    assert Claim.objects.filter(status="rejected").exists()
    assert all(c.approval.source == f"mutualaid.claim:{c.pk}" for c in paid_claims.select_related("approval")[:50])
