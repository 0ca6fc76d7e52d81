"""The service hall's effect for 医疗互助报销: the approval that completes the application files the claim
(eligibility checked, benefit computed) and approves it on the ledger. A refusal (not covered on the visit
date, past the deadline, yearly cap reached, no consent) raises DomainError: the approval fails with the
message, and the cadre decides (不予受理 or 退回补正)."""

import datetime

from django.utils import timezone

from gonghui.common.errors import DomainError
from gonghui.hall.effects import effect

from . import actions
from .models import Plan

CONSENT_FIELD = "health_consent"


@effect("mutualaid_claim", label="互助金核准给付（医疗互助报销）")
def claim_from_application(application, *, by) -> None:
    """The applicant's member record claims under the medical plan covering the visit date; the consent is
    the one given in the form, recorded at submission. Filed on the day the application was submitted (the
    deadline counts to then), handled by the union that approved."""
    worker = getattr(application.applicant, "worker", None)
    member = getattr(worker, "member", None)
    if member is None:
        raise DomainError("申请人未绑定会员身份，不能核准互助金，请作不予受理处理。")
    data = application.data
    submitted = application.submitted_at or timezone.now()
    consent_at = submitted if data.get(CONSENT_FIELD) is True else None
    try:
        visit = datetime.date.fromisoformat(str(data.get("visit_date") or ""))
    except ValueError:
        raise DomainError("申请中的就诊日期有误，请退回补正。") from None
    claim = actions.file_claim(member=member, event_date=visit, expense=data.get("amount") or "0",
                               consent_at=consent_at, by=by, kind=Plan.Kind.MEDICAL, org=application.handling_org,
                               application=application, filed_on=timezone.localdate(submitted))
    actions.approve_claim(claim=claim, by=by)
