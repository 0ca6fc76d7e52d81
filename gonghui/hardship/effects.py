"""The service hall's effect for 困难职工帮扶申请: an approved application becomes a hardship file."""

from decimal import Decimal

from gonghui.hall.effects import effect

from . import actions
from .models import HardshipFile
from .queries import open_file_of

LEVEL_OF_ORG = {"national": "national", "province": "province", "city": "city"}  # else county


@effect("hardship_open", label="建立困难职工档案（困难职工帮扶）")
def open_from_application(application, *, by) -> None:
    """The applicant's member record gets a file at the level of the union that approved (县级 below a city);
    the form's household size and income give the household (actions.placeholder_household), the rest
    completed at the first review. A person already on file keeps their file: the approval is noted on it.
    `by` is the cadre whose approval completed the application: the file's history names them."""
    worker = getattr(application.applicant, "worker", None)
    member = getattr(worker, "member", None)
    if member is None:
        return  # filed for a union, not a person: nothing to open
    data = application.data
    current = open_file_of(member)
    if current is not None:
        actions.note_on_file(file=current, note=f"困难职工帮扶申请 {application.number} 审批通过", by=by)
        return
    size = max(1, int(Decimal(str(data.get("household_size") or 1))))
    household = actions.placeholder_household(member, size, data.get("monthly_income") or "0")
    actions.open_file(member=member, level=LEVEL_OF_ORG.get(application.handling_org.level, "county"),
                      category=HardshipFile.Category.RELATIVE, causes=[data.get("category", "")] if data.get(
                          "category") else [], household=household, by=by, source_application=application,
                      measures=data.get("reason", ""), authorised=True)
