"""The URL walker's samples of the service hall (gonghui/common/tests/walking.py says how they are used): the
applications in the back office, their action pages, their files and the API; the catalogue of items and the
holiday table, the same for the whole province. The worker pages of the hall are the portal's."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.accounts.models import User
from gonghui.common.tests.walking import ALL, MEMBER_EDITORS, NO_DELETE, admin_model, lst, obj, open_, reference_model
from gonghui.hall import actions, attachments
from gonghui.hall.models import HolidayDay, ServiceItem

OUTSIDE_HALL = "芜湖外区办件人"  # a service-hall application of G2111, with a file
INSIDE_HALL = "瑶海内部办件人"

SAMPLES = {
    **admin_model("hall_application", "hall_app", roles=ALL, add_roles=MEMBER_EDITORS, hides=[OUTSIDE_HALL],
                  shows=INSIDE_HALL,
                  extra_queries=[lambda w: "?q=外区办件", lambda w: "?mine=1", lambda w: "?status=submitted"]),
    **{f"admin:hall_application_{name}": obj(lambda w: {"object_id": w.hall_app.pk})
       for name in ("accept", "approve", "return_", "reject", "transfer", "escalate")},
    # The catalogue and the holiday table: the same for the whole province, maintained by its administrators.
    **reference_model("hall_serviceitem", "item", "the province-wide catalogue of items",
                      add="only a province administrator maintains the catalogue",
                      delete=NO_DELETE + "; an item is closed, never deleted"),
    **reference_model("hall_holidayday", "holiday", "the holiday table, the same for everyone",
                      add="only a province administrator maintains the holiday table",
                      delete="only a province administrator maintains the holiday table"),
    "api:list_items": open_("public to every cadre: the province-wide catalogue, no data of a subtree"),
    "api:list_applications": lst(queries=[lambda w: "?limit=1000", lambda w: "?mine=true",
                                          lambda w: "?status=submitted&limit=1000", lambda w: "?item=hardship_aid"],
                                 hides=[OUTSIDE_HALL], shows=INSIDE_HALL),
    "api:get_application": obj(lambda w: {"application_id": w.hall_app.pk}, post=False),
    "api:transition": obj(lambda w: {"application_id": w.hall_app.pk}, get=False,
                          body=lambda w: {"action": "accept", "note": ""}),
    "hall:download": obj(lambda w: {"attachment_id": w.hall_file.pk}, post=False),
}


def build(world) -> None:
    """A submitted 困难职工帮扶申请 of each side (G2111, G1111) with its PDF; the catalogue's item and a holiday."""
    world.hall_app, world.hall_file = _application(world.tree["G2111"], "hall_outside", OUTSIDE_HALL)
    world.inside.hall_app, world.inside.hall_file = _application(world.tree["G1111"], "hall_inside", INSIDE_HALL)
    world.item = ServiceItem.objects.get(code="hardship_aid")
    world.holiday = HolidayDay.objects.create(date=datetime.date(2027, 1, 1), kind="holiday", name="元旦")


def _application(org, username: str, name: str):
    """A submitted application of `org` filed by a worker (an account without org) with its PDF, handled by
    `org` itself."""
    applicant = User.objects.create(username=username)
    application = actions.file_application(
        item=ServiceItem.objects.get(code="hardship_aid"), applicant=applicant, applicant_org=org,
        applicant_name=name, submit=False,
        raw={"name": name, "category": "因病致困", "household_size": "3", "monthly_income": "2000", "reason": name})
    upload = SimpleUploadedFile(f"{name}.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    file = attachments.add_attachment(application=application, slot="proof", upload=upload, by=applicant)
    return actions.transition(application, "submit", by=applicant), file
