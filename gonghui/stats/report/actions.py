"""Writes of the work report's template: save a new version, make an older one active again (rollback)."""

from django.db import transaction
from django.db.models import Max

from gonghui.common import audit
from gonghui.common.actors import is_system
from gonghui.common.errors import DomainError
from gonghui.orgs.queries import keeps_province_config

from ..models import ReportTemplate
from . import template


def can_edit_template(user) -> bool:
    """The report's template is the province's: kept by a 单位管理员 of the province federation."""
    return keeps_province_config(user)


def _check_editor(by) -> None:
    if not is_system(by) and not can_edit_template(by):
        raise DomainError("只有省级工会的单位管理员可以修改工作报告模板。")


def _activate(version: ReportTemplate) -> ReportTemplate | None:
    """Make `version` the one active; the version active before, if another."""
    before = ReportTemplate.objects.select_for_update().filter(active=True).first()
    if before is not None and before.pk != version.pk:
        before.active = False
        before.save(update_fields=["active"])
    version.active = True
    version.save(update_fields=["active"])
    return before


def save_template(*, body: str, note: str = "", by) -> ReportTemplate:
    """Save `body` as the next version and make it active. Refused with the checker's message if it names an
    unknown figure or breaks the language. Audited with the version numbers before and after."""
    _check_editor(by)
    body = body.replace("\r\n", "\n").strip() + "\n"
    template.check(body)
    with transaction.atomic():
        # The active version's row lock serialises two saves; the unique number refuses a lost race.
        ReportTemplate.objects.select_for_update().filter(active=True).first()
        number = (ReportTemplate.objects.aggregate(n=Max("number"))["n"] or 0) + 1
        version = ReportTemplate.objects.create(number=number, body=body, note=note.strip()[:200], created_by=by)
        before = _activate(version)
        audit.record("stats_report_template_save", actor=by, obj=version,
                     changes={"version": [before.number if before else None, number], "note": version.note})
    return version


def activate_template(version: ReportTemplate, *, by) -> ReportTemplate:
    """Make an earlier version the one in use again (回退). Its text is checked again: a figure withdrawn
    since it was saved would leave a placeholder without a value."""
    _check_editor(by)
    template.check(version.body)
    with transaction.atomic():
        version = ReportTemplate.objects.select_for_update().get(pk=version.pk)
        before = _activate(version)
        audit.record("stats_report_template_activate", actor=by, obj=version,
                     changes={"version": [before.number if before else None, version.number]})
    return version
