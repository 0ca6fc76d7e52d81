"""Issue 6 part 3: claims through the service hall (医疗互助报销) — the approval that completes the application
files and approves the claim with its working and the separate health-data consent; an ineligible claim makes
the approval fail with the reason (done-when "eligibility refusals")."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.common.errors import DomainError
from gonghui.conftest import make_cadre
from gonghui.hall import actions as hall_actions
from gonghui.hall.models import Application, ServiceItem
from gonghui.mutualaid import actions
from gonghui.mutualaid.models import Claim
from gonghui.portal import actions as portal_actions
from gonghui.portal.tests.conftest import MOBILE, sign_up

from .conftest import TODAY

pytestmark = pytest.mark.django_db
ID = "11010519491231002X"


@pytest.fixture
def applicant(tree, plan, member_factory, sms_outbox, settings, tmp_path):
    """A covered member of G1111 with a worker account bound to it."""
    settings.MEDIA_ROOT = tmp_path
    member = member_factory(name="王五", id_number=ID, mobile=MOBILE)
    actions.enrol(plan=plan, org=tree["G1111"], members=[member], by=make_cadre(tree["G1111"], "operator"))
    worker = sign_up(sms_outbox)
    portal_actions.bind_member(worker=worker, name="王五", id_number=ID)
    return worker


def apply(tree, worker, n, *, visit, amount="12000", consent="是"):
    item = ServiceItem.objects.get(code="medical_mutual")
    invoice = SimpleUploadedFile("发票.pdf", b"%PDF-1.4\n%%EOF\n")
    app = hall_actions.file_application(
        item=item, applicant=worker.user, applicant_org=tree["G1111"], applicant_name="王五", uploads={
            "invoice": invoice}, raw={"name": "王五", "visit_date": visit.isoformat(), "hospital": "安徽省立医院",
                                      "amount": amount, "health_consent": consent})
    assert app.handling_org == tree["K11"]  # a county item
    app = hall_actions.transition(app, "accept", by=make_cadre(tree["K11"], "operator", username=f"op{n}"))
    return app, make_cadre(tree["K11"], "approver", username=f"ap{n}")


def test_item_version_has_the_effect_and_the_consent_field():
    """Part 3: the migration gave 医疗互助报销 a version with the effect and a required consent field."""
    version = ServiceItem.objects.get(code="medical_mutual").current
    assert version.effect == "mutualaid_claim"
    consent = [f for f in version.fields if f["name"] == "health_consent"]
    assert consent and consent[0]["type"] == "bool" and consent[0]["required"] is True
    assert "健康信息" in version.guide


def test_approved_application_files_and_approves_the_claim(tree, applicant):
    """Part 3: approval completes the application, files the claim (consent recorded at submission, the working
    kept) and approves 5,000.00 on the ledger."""
    app, approver = apply(tree, applicant, 1, visit=TODAY - datetime.timedelta(days=3))
    app = hall_actions.transition(app, "approve", by=approver)
    assert app.status == Application.Status.COMPLETED
    claim = Claim.objects.get(application=app)
    assert (claim.status, claim.benefit, claim.org, claim.health_consent_at) == (
        "approved", Decimal("5000.00"), tree["K11"], app.submitted_at)
    assert claim.working[0] == "医疗费用 12,000.00 元 − 起付线 1,000.00 元 = 11,000.00 元"
    assert (claim.approval.amount, claim.approval.approved_by) == (Decimal("5000.00"), approver)


def test_consent_is_required_by_the_form(tree, applicant):
    """Part 3: the consent is a required field of the form: without it the application is not filed."""
    with pytest.raises(DomainError, match="健康信息"):
        apply(tree, applicant, 1, visit=TODAY - datetime.timedelta(days=3), consent="")


def test_ineligible_claim_makes_the_approval_fail(tree, applicant):
    """Done-when (eligibility refusals) through the hall: a visit past the 30-day deadline — the approval is
    refused with the reason, the application stays in progress, no claim."""
    app, approver = apply(tree, applicant, 1, visit=TODAY - datetime.timedelta(days=40))
    with pytest.raises(DomainError, match="已超过申请期限"):
        hall_actions.transition(app, "approve", by=approver)
    app.refresh_from_db()
    assert app.status == Application.Status.ACCEPTED and not Claim.objects.exists()
