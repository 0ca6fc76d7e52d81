"""Every URL of the project, walked as a cadre of another subtree (R-AZ-1, R-AZ-2).

The 18F/tock pattern (tock/tests/test_url_auth.py), extended from "anonymous" to "cadre of
another subtree": every pattern of the URLconf (admin, unfold actions, API, accounts) must have an
entry in SAMPLES saying how to test it. A URL that takes an object is requested with an object
outside the cadre's subtree and must answer 404 to GET and POST (never 403, never 200). A URL
without an object must answer 200 to the roles that may use it, without any outside row but with
the inside rows, and 404 to the others. A URL that answers 404 to everyone (deletion, the admin's
view-on-site shortcut, unknown pages) is marked `closed` with its reason and checked with an inside
object too, so it does not pass for a scoping test. A new URL without a sample fails
test_every_url_has_a_sample, telling the developer to add one.

Each sample object outside the subtree carries a distinctive text (OUTSIDE_MARKERS), searched for in
every body: with scoping removed, the lists show it and the object URLs answer 200.
"""

import datetime
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from gonghui.accounts import sms
from gonghui.accounts.models import User
from gonghui.common import audit, uscc
from gonghui.common.actors import system_actor
from gonghui.common.excel import build_workbook
from gonghui.common.models import AuditEntry, ImportJob, Region
from gonghui.conftest import login, make_cadre
from gonghui.hall import actions as hall_actions
from gonghui.hall import attachments as hall_attachments
from gonghui.hall.models import HolidayDay, ServiceItem
from gonghui.hardship import actions as hardship_actions
from gonghui.ledger import actions as ledger_actions
from gonghui.ledger.models import FundSource, PaymentKind
from gonghui.members.actions import join_member, request_transfer
from gonghui.members.models import MemberEvent
from gonghui.members.tests.conftest import make_facts, make_id
from gonghui.mutualaid.tests.walker import mutualaid_world
from gonghui.orgs import importing
from gonghui.orgs.models import Employer, Org, OrgEvent
from gonghui.portal import actions as portal_actions
from gonghui.portal.tests.conftest import raw_facts, sign_up

# The distinctive texts of the sample objects outside the K11 subtree.
OUTSIDE_EMPLOYER = "外区专用单位甲"  # an employer of G2111
OUTSIDE_USER = "芜湖外部干部"  # the full name of outsider_k21, a K21 cadre
OUTSIDE_ENTRY = "芜湖外部审计标记"  # an audit entry of outsider_k21
OUTSIDE_GRASSROOTS = "芜湖镜湖纺织有限公司工会"  # G2111, whose founding event is the OrgEvent sample
OUTSIDE_MEMBER = "芜湖外区会员"  # a member of G2111, with a pending transfer to T211
OUTSIDE_MEMBER_ID = make_id("340202", "19880808", 515)  # their ID number (the lookup samples post it)
# Texts only outside rows carry: the C2 subtree (芜湖/镜湖), the K12 sibling (庐阳), the outside
# account and the objects above. The cadres below belong to K11, so none of these may reach them.
OUTSIDE_MARKERS = ["芜湖", "镜湖", "庐阳", "outsider_k21", OUTSIDE_EMPLOYER]

# Inside texts a list must show (the list did render rows; an empty page would hide nothing).
INSIDE_EMPLOYER = "合肥内部机械有限公司"
INSIDE_USER = "瑶海内部干部"
INSIDE_ENTRY = "瑶海内部审计标记"
INSIDE_MEMBER = "瑶海内部会员"
OUTSIDE_APPLICANT = "芜湖外区申请人"  # an online application to G2111 (issue 4)
INSIDE_APPLICANT = "瑶海内部申请人"
OUTSIDE_HALL = "芜湖外区办件人"  # a service-hall application of G2111 (issue 5), with a file
INSIDE_HALL = "瑶海内部办件人"
OUTSIDE_BATCH = "芜湖外区送温暖批次"  # a bulk disbursement of K21 (issue 6), for OUTSIDE_MEMBER
INSIDE_BATCH = "瑶海内部送温暖批次"
WORKER_PAGES = "worker pages (/w/): a cadre account is not a worker account; 404 for every cadre"

# The K11 cadres: every business role, and each of the three administrators (三权分立), so that the
# 404s come from scoping and not from a missing role.
CADRES = {
    "business": ("operator", "approver", "org_admin", "pii_viewer"),
    "sysadmin": ("sysadmin",),
    "secadmin": ("secadmin",),
    "auditor": ("auditor",),
}
ALL = frozenset(CADRES)
ACCOUNT_ADMINS = frozenset({"sysadmin", "secadmin"})
ORG_ADMINS = frozenset({"business"})  # org_admin: add, import, move/dissolve/merge
MEMBER_EDITORS = frozenset({"business"})  # operator, org_admin: enter, import, transfer members


@dataclass
class Sample:
    """How to test one URL pattern.

    kind:
      object    - kwargs name an object outside the subtree: GET (and POST) must answer 404.
      list      - no object: 200 for the cadres in `roles` (404 for the others, never 403 or 302)
                  on every query, no outside text (OUTSIDE_MARKERS and `hides`), and `shows` (an
                  inside text) on the first query. `probes` are query strings naming an outside
                  object (404 expected).
      closed    - 404 for everyone whatever the object (`reason` says why): checked with the outside
                  object and with `inside`, an object of the cadre's own subtree, so that the 404 is
                  not mistaken for scoping.
      reference - reference data the same for everyone (GB/T 2260 regions): `expect` for every cadre.
      open      - login, logout, two-factor, static, OpenAPI: not scoped; `reason` says why.
    """

    kind: str
    kwargs: Callable[[SimpleNamespace], dict] | None = None
    # POST-only endpoints (get=False) are not requested by GET; an API endpoint posts `body` as JSON.
    get: bool = True
    body: Callable[[SimpleNamespace], dict] | None = None
    queries: list[Callable[[SimpleNamespace], str]] = field(default_factory=lambda: [lambda w: ""])
    probes: list[Callable[[SimpleNamespace], str]] = field(default_factory=list)
    post: bool = True
    follow: bool = False
    path: Callable[[SimpleNamespace], str] | None = None
    reason: str = ""
    roles: frozenset[str] = ALL
    hides: list[str] = field(default_factory=list)
    shows: str | None = None
    inside: Callable[[SimpleNamespace], dict] | None = None
    inside_path: Callable[[SimpleNamespace], str] | None = None
    expect: int = 200


def obj(kwargs, *, post=True, follow=False, path=None, reason="", get=True, body=None):
    return Sample("object", kwargs=kwargs, post=post, follow=follow, path=path, reason=reason, get=get, body=body)


def lst(kwargs=None, *, roles=ALL, queries=None, probes=None, hides=None, shows=None):
    return Sample("list", kwargs=kwargs, roles=roles, queries=queries or [lambda w: ""], probes=probes or [],
                  hides=hides or [], shows=shows)


def closed(reason, kwargs=None, *, inside=None, path=None, inside_path=None):
    return Sample("closed", kwargs=kwargs, inside=inside, path=path, inside_path=inside_path, reason=reason)


def open_(reason):
    return Sample("open", reason=reason)


NO_DELETE = "deletion disabled for everyone (ScopedAdmin.has_delete_permission is False)"
NO_ADD = "adding disabled for everyone (read-only in the back office)"


def _admin_model(model: str, attr: str, *, roles, hides, shows, add_roles=None, extra_queries=None, probes=None
                 ) -> dict[str, Sample]:
    """The standard admin URLs of one model; `attr` names its outside object in the world (and its
    inside counterpart in world.inside). `roles` may read the model, `add_roles` add (None: nobody)."""
    by_id = lambda w: {"object_id": getattr(w, attr).pk}  # noqa: E731
    inside_id = lambda w: {"object_id": getattr(w.inside, attr).pk}  # noqa: E731
    app, name = model.split("_", 1)
    return {
        f"admin:{model}_changelist": lst(roles=roles, hides=hides, shows=shows, probes=probes,
                                         queries=[lambda w: "", lambda w: "?q=纺织", *(extra_queries or [])]),
        f"admin:{model}_add": lst(roles=add_roles) if add_roles else closed(NO_ADD),
        f"admin:{model}_history": obj(by_id),
        f"admin:{model}_delete": closed(NO_DELETE, by_id, inside=inside_id),
        f"admin:{model}_change": obj(by_id),
        f"admin/{app}/{name}/<path:object_id>/": obj(by_id, follow=True),
    }


SAMPLES: dict[str, Sample] = {
    "": open_("redirects to /admin/"),
    "accounts:two_factor": open_("auth: the second factor of the account itself"),
    "accounts:logout": open_("auth: ends the session of the account itself"),
    "admin:login": open_("auth"),
    "admin:logout": open_("auth"),
    "admin:password_change": open_("auth: the account's own password"),
    "password_change": open_("auth: the account's own password (our view in place of the admin's)"),
    "admin:password_change_done": open_("auth"),
    "admin:jsi18n": open_("static: JavaScript translations"),
    "api:openapi-json": open_("public: the API description, no data"),
    "api:openapi-view": open_("public: the API documentation page, no data"),
    "api:api-root": open_("public: the API root, no data"),
    "admin:index": lst(),
    # unfold's search looks through the navigation (no COMMAND search_models are configured); the
    # extended queries would look through rows if ever configured. The cache is cleared before each
    # query: unfold caches results per user and term, not per `extended`.
    "admin:search": lst(queries=[lambda w: "?s=用人单位", lambda w: "?s=纺织", lambda w: "?s=纺织&extended=1",
                                 lambda w: "?s=G2111&extended=1", lambda w: "?s=外部&extended=1",
                                 lambda w: "?s=外区专用&extended=1"],
                        shows="用人单位"),
    "admin:autocomplete": lst(queries=[
        lambda w: "?app_label=orgs&model_name=org&field_name=parent&term=",
        lambda w: "?app_label=orgs&model_name=org&field_name=parent&term=湖",
        lambda w: "?app_label=accounts&model_name=user&field_name=org&term=",
        lambda w: "?app_label=accounts&model_name=user&field_name=org&term=G2111",
        lambda w: "?app_label=members&model_name=member&field_name=org&term=",
        lambda w: "?app_label=members&model_name=member&field_name=org&term=湖",
    ], shows="瑶海区总工会"),
    "admin:app_list": lst(kwargs=lambda w: {"app_label": "orgs"}),
    "admin:view_on_site": closed(
        "Org has no get_absolute_url: Django's view-on-site shortcut answers 404 for every org",
        lambda w: {"content_type_id": ContentType.objects.get_for_model(Org).pk, "object_id": w.org.pk},
        inside=lambda w: {"content_type_id": ContentType.objects.get_for_model(Org).pk,
                          "object_id": w.inside.org.pk}),
    "admin/(?P<url>.*)$": closed("no such page: the admin's catch-all answers 404 for everyone",
                                 path=lambda w: f"/admin/no-such-page/{w.org.pk}/",
                                 inside_path=lambda w: f"/admin/no-such-page/{w.inside.org.pk}/"),
    # Organizations: the unfold detail actions and the tree.
    "admin:orgs_org_tree": lst(probes=[lambda w: f"?parent={w.org.pk}", lambda w: f"?parent={w.grassroots.pk}"],
                               shows="明光路街道总工会"),
    "admin:orgs_org_import": lst(roles=ORG_ADMINS),
    # A finished run of the outside subtree with an error workbook on disk: without scoping, an org
    # admin would get its page and its file (200); the other roles are refused by the view anyway.
    "admin:orgs_org_import_status": obj(lambda w: {"job_id": w.job.pk}),
    "admin:orgs_org_import_errors": obj(lambda w: {"job_id": w.job.pk}),
    "admin:orgs_org_move_view": obj(lambda w: {"object_id": w.org.pk}),
    "admin:orgs_org_dissolve_view": obj(lambda w: {"object_id": w.grassroots.pk}),
    "admin:orgs_org_merge_view": obj(lambda w: {"object_id": w.grassroots.pk}),
    **_admin_model("orgs_org", "org", roles=ALL, add_roles=ORG_ADMINS, hides=["镜湖区总工会", OUTSIDE_GRASSROOTS],
                   shows="瑶海区总工会"),
    **_admin_model("orgs_employer", "employer", roles=ALL, hides=[OUTSIDE_EMPLOYER], shows=INSIDE_EMPLOYER,
                   extra_queries=[lambda w: f"?q={w.employer.uscc}", lambda w: "?q=外区专用"]),
    **_admin_model("orgs_orgevent", "event", roles=ALL, hides=[OUTSIDE_GRASSROOTS], shows="合肥瑶海机械有限公司工会",
                   extra_queries=[lambda w: "?q=G2111"]),
    **_admin_model("accounts_user", "user", roles=ACCOUNT_ADMINS, add_roles=ACCOUNT_ADMINS,
                   hides=["outsider_k21", OUTSIDE_USER], shows=INSIDE_USER,
                   extra_queries=[lambda w: "?q=outsider", lambda w: "?q=外部干部"]),
    **_admin_model("common_auditentry", "entry", roles=frozenset({"auditor"}), hides=[OUTSIDE_ENTRY],
                   shows=INSIDE_ENTRY, extra_queries=[lambda w: "?q=外部审计标记", lambda w: "?q=outsider"]),
    # Regions: reference data (GB/T 2260), the same for everyone.
    "admin:common_region_changelist": Sample("reference", reason="GB/T 2260 reference data"),
    "admin:common_region_add": closed("GB/T 2260 reference data: loaded by command, never added here"),
    "admin:common_region_history": Sample("reference", kwargs=lambda w: {"object_id": w.region.pk},
                                          reason="GB/T 2260 reference data"),
    "admin:common_region_delete": closed(NO_DELETE + "; GB/T 2260 reference data is never deleted",
                                         lambda w: {"object_id": w.region.pk},
                                         inside=lambda w: {"object_id": w.inside.region.pk}),
    "admin:common_region_change": Sample("reference", kwargs=lambda w: {"object_id": w.region.pk},
                                         reason="GB/T 2260 reference data (read-only page)"),
    "admin/common/region/<path:object_id>/": Sample("reference", kwargs=lambda w: {"object_id": w.region.pk},
                                                    expect=302, reason="GB/T 2260 reference data"),
    # The API.
    "api:list_orgs": lst(queries=[lambda w: "?limit=1000", lambda w: "?q=纺织", lambda w: "?q=G2111",
                                  lambda w: "?kind=grassroots&limit=1000"],
                         probes=[lambda w: "?under=K21", lambda w: "?under=G2111"],
                         hides=["镜湖区总工会", OUTSIDE_GRASSROOTS], shows="瑶海区总工会"),
    "api:get_org": obj(lambda w: {"code": w.org.code}, post=False),
    # Members (issue 3): the roster, its pages and the API. An org filter naming an outside org
    # answers 404, like an outside object.
    **_admin_model("members_member", "member", roles=ALL, add_roles=MEMBER_EDITORS, hides=[OUTSIDE_MEMBER],
                   shows=INSIDE_MEMBER, extra_queries=[lambda w: f"?q={w.member.member_number}",
                                                       lambda w: "?status=active", lambda w: "?org=K11"],
                   probes=[lambda w: "?org=K21", lambda w: "?org=G2111"]),
    "admin:members_member_export": lst(queries=[lambda w: "", lambda w: "?status=active", lambda w: "?org=T111",
                                                lambda w: f"?q={w.member.member_number}"],
                                       probes=[lambda w: "?org=K21", lambda w: "?org=G2111&status=active"]),
    "admin:members_member_lookup": lst(shows="证件号码"),
    "admin:members_member_timeline": obj(lambda w: {"object_id": w.member.pk}),
    "admin:members_member_reveal": obj(lambda w: {"object_id": w.member.pk}),
    "admin:members_member_leave": obj(lambda w: {"object_id": w.member.pk}),
    "admin:members_member_retire": obj(lambda w: {"object_id": w.member.pk}),
    "admin:members_member_decease": obj(lambda w: {"object_id": w.member.pk}),
    **_admin_model("members_transfer", "transfer", roles=ALL, add_roles=MEMBER_EDITORS, hides=[OUTSIDE_MEMBER],
                   shows=INSIDE_MEMBER, extra_queries=[lambda w: f"?q={w.member.member_number}"]),
    "admin:members_transfer_approve": obj(lambda w: {"object_id": w.transfer.pk}),
    "admin:members_transfer_reject": obj(lambda w: {"object_id": w.transfer.pk}),
    "admin:members_transfer_cancel": obj(lambda w: {"object_id": w.transfer.pk}),
    **_admin_model("members_memberevent", "member_event", roles=ALL, hides=[OUTSIDE_MEMBER], shows=INSIDE_MEMBER,
                   extra_queries=[lambda w: f"?q={w.member.member_number}"]),
    "api:list_members": lst(queries=[lambda w: "?limit=1000", lambda w: f"?q={OUTSIDE_MEMBER}",
                                     lambda w: "?status=active&limit=1000", lambda w: "?org=K11"],
                            probes=[lambda w: "?org=K21", lambda w: "?org=G2111"],
                            hides=[OUTSIDE_MEMBER], shows=INSIDE_MEMBER),
    "api:get_member": obj(lambda w: {"member_id": w.member.pk}, post=False),
    "api:create_member": obj(None, get=False, body=lambda w: {
        "org": "G2111", "name": "新会员", "id_number": make_id("340202", "19900101", 333)}),
    "api:lookup_member": obj(None, get=False, body=lambda w: {"id_number": OUTSIDE_MEMBER_ID}),
    "api:end_membership": obj(lambda w: {"member_id": w.member.pk}, get=False,
                              body=lambda w: {"status": "left", "date": "2024-01-01"}),
    # The member import (gonghui/members/import_views.py); a finished run of the outside subtree with
    # an error workbook on disk.
    "admin:members_member_import": lst(roles=MEMBER_EDITORS),
    "admin:members_member_import_template": lst(roles=MEMBER_EDITORS),
    "admin:members_member_import_status": obj(lambda w: {"job_id": w.member_job.pk}),
    "admin:members_member_import_errors": obj(lambda w: {"job_id": w.member_job.pk}),
    # The worker portal (issue 4): back-office pages for applications, join links and cards.
    **_admin_model("portal_joinapplication", "application", roles=ALL, hides=[OUTSIDE_APPLICANT],
                   shows=INSIDE_APPLICANT, extra_queries=[lambda w: "?q=外区申请"]),
    "admin:portal_joinapplication_accept": obj(lambda w: {"object_id": w.application.pk}),
    "admin:portal_joinapplication_return_to_worker": obj(lambda w: {"object_id": w.application.pk}),
    **_admin_model("portal_joinlink", "join_link", roles=ALL, add_roles=MEMBER_EDITORS, hides=[OUTSIDE_GRASSROOTS],
                   shows="合肥瑶海机械有限公司工会"),
    "admin:portal_joinlink_poster_png": obj(lambda w: {"object_id": w.join_link.pk}),
    "admin:portal_joinlink_poster_pdf": obj(lambda w: {"object_id": w.join_link.pk}),
    "admin:portal_joinlink_rotate": obj(lambda w: {"object_id": w.join_link.pk}),
    "admin:portal_joinlink_revoke": obj(lambda w: {"object_id": w.join_link.pk}),
    **_admin_model("portal_membercard", "card", roles=ALL, hides=[OUTSIDE_MEMBER], shows=INSIDE_MEMBER),
    "admin:portal_membercard_revoke": obj(lambda w: {"object_id": w.card.pk}),
    # The worker pages answer 404 to every cadre; sign-in, the poster link and the card check are public.
    "portal:home": closed(WORKER_PAGES),
    "portal:bind": closed(WORKER_PAGES),
    "portal:find_union": closed(WORKER_PAGES),
    "portal:card": closed(WORKER_PAGES),
    "portal:profile": closed(WORKER_PAGES),
    "portal:apply": closed(WORKER_PAGES, lambda w: {"org_id": w.grassroots.pk},
                           inside=lambda w: {"org_id": w.inside.org.pk}),
    "portal:application": closed(WORKER_PAGES, lambda w: {"pk": w.application.pk},
                                 inside=lambda w: {"pk": w.inside.application.pk}),
    "portal:withdraw": closed(WORKER_PAGES, lambda w: {"pk": w.application.pk},
                              inside=lambda w: {"pk": w.inside.application.pk}),
    "portal:sign_in": open_("auth: the worker sign-in page"),
    "portal:send_code": open_("auth: sends a sign-in code to the number typed, rate-limited"),
    "portal:sign_out": open_("auth: ends the session of the account itself"),
    "portal:scan": open_("public: a poster's signed join link; a forged or old one answers 404, names no data"),
    "card_verify": open_("public: a card's signed token; shows only valid/revoked/expired, masked name, union"),
    # The service hall (issue 5): applications, their action pages and files; the worker pages.
    **_admin_model("hall_application", "hall_app", roles=ALL, add_roles=MEMBER_EDITORS, hides=[OUTSIDE_HALL],
                   shows=INSIDE_HALL,
                   extra_queries=[lambda w: "?q=外区办件", lambda w: "?mine=1", lambda w: "?status=submitted"]),
    **{f"admin:hall_application_{name}": obj(lambda w: {"object_id": w.hall_app.pk})
       for name in ("accept", "approve", "return_", "reject", "transfer", "escalate")},
    # The catalogue and the holiday table: the same for the whole province, maintained by its administrators.
    "admin:hall_serviceitem_changelist": Sample("reference", reason="the province-wide catalogue of items"),
    "admin:hall_serviceitem_add": closed("only a province administrator maintains the catalogue"),
    "admin:hall_serviceitem_history": Sample("reference", kwargs=lambda w: {"object_id": w.item.pk},
                                             reason="the province-wide catalogue"),
    "admin:hall_serviceitem_delete": closed(NO_DELETE + "; an item is closed, never deleted",
                                            lambda w: {"object_id": w.item.pk},
                                            inside=lambda w: {"object_id": w.item.pk}),
    "admin:hall_serviceitem_change": Sample("reference", kwargs=lambda w: {"object_id": w.item.pk},
                                            reason="the province-wide catalogue (read-only below the province)"),
    "admin/hall/serviceitem/<path:object_id>/": Sample("reference", kwargs=lambda w: {"object_id": w.item.pk},
                                                       expect=302, reason="the province-wide catalogue"),
    "admin:hall_holidayday_changelist": Sample("reference", reason="the holiday table, the same for everyone"),
    "admin:hall_holidayday_add": closed("only a province administrator maintains the holiday table"),
    "admin:hall_holidayday_history": Sample("reference", kwargs=lambda w: {"object_id": w.holiday.pk},
                                            reason="the holiday table"),
    "admin:hall_holidayday_delete": closed("only a province administrator maintains the holiday table",
                                           lambda w: {"object_id": w.holiday.pk},
                                           inside=lambda w: {"object_id": w.holiday.pk}),
    "admin:hall_holidayday_change": Sample("reference", kwargs=lambda w: {"object_id": w.holiday.pk},
                                           reason="the holiday table (read-only below the province)"),
    "admin/hall/holidayday/<path:object_id>/": Sample("reference", kwargs=lambda w: {"object_id": w.holiday.pk},
                                                      expect=302, reason="the holiday table"),
    "api:list_items": open_("public to every cadre: the province-wide catalogue, no data of a subtree"),
    "api:list_applications": lst(queries=[lambda w: "?limit=1000", lambda w: "?mine=true",
                                          lambda w: "?status=submitted&limit=1000", lambda w: "?item=hardship_aid"],
                                 hides=[OUTSIDE_HALL], shows=INSIDE_HALL),
    "api:get_application": obj(lambda w: {"application_id": w.hall_app.pk}, post=False),
    "api:transition": obj(lambda w: {"application_id": w.hall_app.pk}, get=False,
                          body=lambda w: {"action": "accept", "note": ""}),
    "hall:download": obj(lambda w: {"attachment_id": w.hall_file.pk}, post=False),
    "hall:hall": closed(WORKER_PAGES),
    "hall:apply": closed(WORKER_PAGES, lambda w: {"code": "hardship_aid"}, inside=lambda w: {"code": "legal_aid"}),
    "hall:application": closed(WORKER_PAGES, lambda w: {"pk": w.hall_app.pk},
                               inside=lambda w: {"pk": w.inside.hall_app.pk}),
    # Hardship files and the aid ledger, back office (issue 6 parts 1, 2, 4): a file, an approval, its entry
    # and a 送温暖 batch of each side (ledger_world); the person's ledger of each member.
    **_admin_model("hardship_hardshipfile", "hardship_file", roles=ALL, add_roles=MEMBER_EDITORS,
                   hides=[OUTSIDE_MEMBER], shows=INSIDE_MEMBER, probes=[lambda w: "?org=K21"],
                   extra_queries=[lambda w: f"?q={w.member.member_number}", lambda w: "?due=1",
                                  lambda w: "?status=open&level=county", lambda w: "?org=K11"]),
    **{f"admin:hardship_hardshipfile_{name}": obj(lambda w: {"object_id": w.hardship_file.pk})
       for name in ("plan", "pair", "review", "close", "ledger")},
    # The Excel import of existing hardship files (issue 6 part 6): an outside finished job of kind "hardship".
    "admin:hardship_hardshipfile_import": lst(roles=MEMBER_EDITORS),
    "admin:hardship_hardshipfile_import_template": lst(roles=MEMBER_EDITORS),
    "admin:hardship_hardshipfile_import_result": obj(lambda w: {"job_id": w.hardship_job.pk}),
    "admin:hardship_hardshipfile_import_errors": obj(lambda w: {"job_id": w.hardship_job.pk}),
    **_admin_model("ledger_approval", "aid_approval", roles=ALL, add_roles=MEMBER_EDITORS, hides=[OUTSIDE_MEMBER],
                   shows=INSIDE_MEMBER, probes=[lambda w: "?org=K21"],
                   extra_queries=[lambda w: f"?q={w.member.member_number}", lambda w: "?status=paid",
                                  lambda w: "?org=K11"]),
    "admin:ledger_approval_record": obj(lambda w: {"object_id": w.aid_approval.pk}),
    **_admin_model("ledger_entry", "aid_entry", roles=ALL, hides=[OUTSIDE_MEMBER], shows=INSIDE_MEMBER,
                   probes=[lambda w: "?org=K21"],
                   extra_queries=[lambda w: f"?q={w.member.member_number}", lambda w: "?reversal=payment",
                                  lambda w: f"?year={w.aid_entry.paid_on.year}", lambda w: "?org=K11"]),
    "admin:ledger_entry_reverse_entry": obj(lambda w: {"object_id": w.aid_entry.pk}),
    "admin:ledger_entry_person": obj(lambda w: {"member_id": w.member.pk}),
    "admin:ledger_entry_person_export": obj(lambda w: {"member_id": w.member.pk}),
    "admin:members_member_ledger": obj(lambda w: {"object_id": w.member.pk}),
    **_admin_model("ledger_disbursement", "aid_batch", roles=ALL, add_roles=MEMBER_EDITORS, hides=[OUTSIDE_BATCH],
                   shows=INSIDE_BATCH, probes=[lambda w: "?org=K21"], extra_queries=[lambda w: "?q=外区送温暖"]),
    "admin:ledger_disbursement_record_batch": obj(lambda w: {"object_id": w.aid_batch.pk}),
    # 帮扶类别 and 资金来源: the same for the whole province, maintained by its administrators.
    **{key: sample for model, attr in (("paymentkind", "pay_kind"), ("fundsource", "fund_source"))
       for key, sample in {
           f"admin:ledger_{model}_changelist": Sample("reference", reason="province-wide ledger configuration"),
           f"admin:ledger_{model}_add": closed("only a province administrator maintains the ledger configuration"),
           f"admin:ledger_{model}_history": Sample(
               "reference", kwargs=lambda w, a=attr: {"object_id": getattr(w, a).pk},
               reason="province-wide ledger configuration"),
           f"admin:ledger_{model}_delete": closed(NO_DELETE + "; entries keep their kind and source",
                                                  lambda w, a=attr: {"object_id": getattr(w, a).pk},
                                                  inside=lambda w, a=attr: {"object_id": getattr(w, a).pk}),
           f"admin:ledger_{model}_change": Sample("reference", kwargs=lambda w, a=attr: {"object_id": getattr(w, a).pk},
                                                  reason="province-wide configuration (read-only below the province)"),
           f"admin/ledger/{model}/<path:object_id>/": Sample(
               "reference", kwargs=lambda w, a=attr: {"object_id": getattr(w, a).pk}, expect=302,
               reason="province-wide ledger configuration"),
       }.items()},
    # Mutual aid (issue 6 part 3): a plan, an enrolment with its coverage, a campaign and a filed claim of each
    # side (mutualaid_world, gonghui/mutualaid/tests/walker.py). A K11 cadre reads the province's plan, not C2's.
    **_admin_model("mutualaid_plan", "ma_plan", roles=ALL, hides=["芜湖市职工医疗互助"],
                   shows="安徽省职工住院医疗互助"),
    "admin:mutualaid_plan_add": closed("only a province administrator maintains the plans (K11's org_admin gets 404)"),
    **_admin_model("mutualaid_enrolment", "ma_enrolment", roles=ALL, add_roles=MEMBER_EDITORS,
                   hides=[OUTSIDE_GRASSROOTS], shows="合肥瑶海机械有限公司工会",
                   extra_queries=[lambda w: "?source=unit"]),
    "admin:mutualaid_enrolment_template": lst(roles=MEMBER_EDITORS),
    "admin:mutualaid_enrolment_errors": obj(lambda w: {"job_id": w.ma_job.pk}),
    **_admin_model("mutualaid_coverage", "ma_coverage", roles=ALL, hides=[OUTSIDE_MEMBER], shows=INSIDE_MEMBER,
                   extra_queries=[lambda w: f"?q={w.member.member_number}", lambda w: "?q=外区会员"]),
    **_admin_model("mutualaid_campaign", "ma_campaign", roles=ALL, add_roles=MEMBER_EDITORS,
                   hides=["芜湖外区赠送活动"], shows="瑶海内部赠送活动"),
    "admin:mutualaid_campaign_run": obj(lambda w: {"object_id": w.ma_campaign.pk}),
    **_admin_model("mutualaid_claim", "ma_claim", roles=ALL, hides=[OUTSIDE_MEMBER], shows=INSIDE_MEMBER,
                   extra_queries=[lambda w: f"?q={w.member.member_number}", lambda w: "?status=filed"]),
    "admin:mutualaid_claim_approve": obj(lambda w: {"object_id": w.ma_claim.pk}),
    "admin:mutualaid_claim_reject": obj(lambda w: {"object_id": w.ma_claim.pk}),
}


def walk(patterns, prefix: str = "", namespace: str | None = None):
    """(key, route, pattern) for every URL pattern, through includes; key is the namespaced name,
    or the route for unnamed patterns."""
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            key = (f"{namespace}:{p.name}" if namespace else p.name) if p.name else route
            yield key, route, p


def all_urls() -> dict[str, str]:
    return {key: route for key, route, _ in walk(get_resolver().url_patterns)}


def build_path(key: str, route: str, sample: Sample, world, *, inside: bool = False) -> str:
    """The sample's URL with its outside object, or (inside=True) with its inside object."""
    path, kwargs_of = (sample.inside_path, sample.inside) if inside else (sample.path, sample.kwargs)
    if path:
        return path(world)
    kwargs = kwargs_of(world) if kwargs_of else {}
    if key != route:
        return reverse(key, kwargs=kwargs)
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), route)


def text_of(response) -> str:
    content_type = response.get("Content-Type", "")
    if "json" in content_type:
        # JSON escapes non-ASCII; compare against the decoded text.
        return json.dumps(json.loads(response.content), ensure_ascii=False)
    if "html" in content_type or "text" in content_type:
        return response.content.decode()
    return ""


def finished_import(by, filename: str, code: str, name: str) -> ImportJob:
    """A finished org import run of `by` with one rejected row, its error workbook written under
    MEDIA_ROOT the way importing.run_org_import writes it."""
    source = (["组织代码", "上级组织代码", "组织名称", "组织类型"],
              [(2, [code, by.org.code, name, "基层工会"]), (3, ["", by.org.code, name + "二", "基层工会"])])
    result = importing.ImportResult(rows=2, imported=1, rejected=1,
                                    errors=[importing.RowError(3, "组织代码", "组织代码不能为空。")])
    job = ImportJob.objects.create(kind="orgs", created_by=by, org=by.org, filename=filename)
    job.error_file = f"{importing.IMPORT_DIR}/{job.pk}-errors.xlsx"
    path = ImportJob.media_path(job.error_file)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(importing.error_workbook(source, result))
    job.finish(ImportJob.Status.DONE, result.as_dict(), done=result.rows)
    assert job.finished_at and path.is_file()
    return job


def finished_member_import(by, filename: str, kind: str = "members") -> ImportJob:
    """A finished member import run of `by` with an error workbook under MEDIA_ROOT (its name and
    IDs outside text), so that the import pages have something to leak without scoping."""
    job = ImportJob.objects.create(kind=kind, created_by=by, org=by.org, filename=filename,
                                   status=ImportJob.Status.DONE, total=1, done=1,
                                   summary={"rows": 1, "imported": 0, "rejected": 1, "errors": [
                                       {"row": 2, "column": "姓名", "message": "芜湖外区错误"}]})
    job.error_file = f"{importing.IMPORT_DIR}/{job.pk}-member-errors.xlsx"
    path = ImportJob.media_path(job.error_file)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(build_workbook("错误", ["姓名", "错误说明"], [["芜湖外区会员乙", "芜湖外区错误"]]))
    job.save()
    return job


def ledger_world(by, member, title: str) -> dict:
    """Issue 6 back office: a hardship file of `member` opened by `by`, a 生活救助 approval of `by`'s union paid
    by a second cadre there (its entry), and an approved 送温暖 batch for the member."""
    file = hardship_actions.open_file(member=member, level="county", category="deep", by=by, household=[
        {"name": member.name, "relation": "本人", "monthly_income": "900"}])
    source = FundSource.objects.get(code="union")
    approval = ledger_actions.approve(member=member, kind=PaymentKind.objects.get(code="living"), fund_source=source,
                                      amount="500", by=by, org=by.org, reason=title)
    payer = make_cadre(by.org, "operator", username=f"{by.username}_pay")
    entry = ledger_actions.record_payment(approval=approval, by=payer, key=ledger_actions.new_key())
    batch = ledger_actions.approve_disbursement(title=title, org=by.org, kind=PaymentKind.objects.get(code="warmth"),
                                                fund_source=source, amount_each="300", members=[member], by=by)
    return {"hardship_file": file, "aid_approval": approval, "aid_entry": entry, "aid_batch": batch}


def hall_application(org, user, name):
    """A submitted 困难职工帮扶申请 of `org` with its PDF (handled by `org` itself)."""
    app = hall_actions.file_application(
        item=ServiceItem.objects.get(code="hardship_aid"), applicant=user, applicant_org=org, applicant_name=name,
        raw={"name": name, "category": "因病致困", "household_size": "3", "monthly_income": "2000", "reason": name},
        submit=False)
    upload = SimpleUploadedFile(f"{name}.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    file = hall_attachments.add_attachment(application=app, slot="proof", upload=upload, by=user)
    return hall_actions.transition(app, "submit", by=user), file


@pytest.fixture
def world(tree, settings, tmp_path):
    """The outside objects (C2's subtree) a K11 cadre must never reach, and inside ones for contrast."""
    cache.clear()  # unfold caches search results per user id, and ids repeat between tests
    settings.MEDIA_ROOT = tmp_path / "media"
    outsider = make_cadre(tree["K21"], "operator", "org_admin", username="outsider_k21")
    User.objects.filter(pk=outsider.pk).update(full_name=OUTSIDE_USER)
    insider = make_cadre(tree["T111"], "operator", "org_admin", username="insider_t111")
    User.objects.filter(pk=insider.pk).update(full_name=INSIDE_USER)
    outsider.refresh_from_db()
    insider.refresh_from_db()
    employer = Employer.objects.create(
        name=OUTSIDE_EMPLOYER, uscc=uscc.make("91", "340202", "MA0000001"), union=tree["G2111"],
        region_code="340202")
    inside_employer = Employer.objects.create(
        name=INSIDE_EMPLOYER, uscc=uscc.make("91", "340102", "MA0000002"), union=tree["G1111"],
        region_code="340102")
    entry = audit.record("update", actor=outsider, obj=tree["G2111"], object_repr=OUTSIDE_ENTRY)
    inside_entry = audit.record("update", actor=insider, obj=tree["G1111"], object_repr=INSIDE_ENTRY)
    job = finished_import(outsider, "芜湖导入.xlsx", "G2119", "芜湖新建工会")
    inside_job = finished_import(insider, "瑶海导入.xlsx", "G1119", "瑶海新建工会")
    region = Region.objects.get(code="340202", in_use=True)
    # Members: one on each side, each with a pending transfer within its own subtree.
    member = join_member(org=tree["G2111"], by=system_actor(), facts=make_facts(
        name=OUTSIDE_MEMBER, id_number=OUTSIDE_MEMBER_ID, mobile="13955550001"))
    inside_member = join_member(org=tree["G1111"], by=system_actor(), facts=make_facts(
        name=INSIDE_MEMBER, id_number=make_id("340102", "19880808", 516), mobile="13955550002"))
    transfer = request_transfer(id_number=OUTSIDE_MEMBER_ID, name=OUTSIDE_MEMBER, to_org=tree["T211"], by=outsider)
    inside_transfer = request_transfer(id_number=make_id("340102", "19880808", 516), name=INSIDE_MEMBER,
                                       to_org=tree["G1112"], by=insider)
    member_job = finished_member_import(outsider, "芜湖会员导入.xlsx")
    hardship_job = finished_member_import(outsider, "芜湖困难档案导入.xlsx", kind="hardship")
    # The portal: an application to each side, each side's join link and a card of each member.
    outside_worker, inside_worker = sign_up(sms.outbox, "13966660001"), sign_up(sms.outbox, "13966660002")
    application = portal_actions.submit_application(
        worker=outside_worker, org=tree["G2111"], channel="search",
        raw=raw_facts(name=OUTSIDE_APPLICANT, id_number=make_id("340202", "19900909", 517), mobile=""))
    inside_application = portal_actions.submit_application(
        worker=inside_worker, org=tree["G1111"], channel="search",
        raw=raw_facts(name=INSIDE_APPLICANT, id_number=make_id("340102", "19900909", 518), mobile=""))
    hall_app, hall_file = hall_application(tree["G2111"], outside_worker.user, OUTSIDE_HALL)
    inside_hall_app, _ = hall_application(tree["G1111"], inside_worker.user, INSIDE_HALL)
    ma_outside, ma_inside = mutualaid_world(tree, outsider, insider, member, inside_member)
    return SimpleNamespace(
        tree=tree, org=tree["K21"], grassroots=tree["G2111"], employer=employer, user=outsider,
        event=OrgEvent.objects.filter(org=tree["G2111"]).first(), entry=entry, job=job, region=region,
        inside_employer=inside_employer, member=member, transfer=transfer, member_job=member_job,
        hardship_job=hardship_job,
        member_event=MemberEvent.objects.get(member=member),
        application=application, join_link=portal_actions.join_link(tree["G2111"], by=system_actor()),
        card=portal_actions.current_card(member), hall_app=hall_app, hall_file=hall_file,
        item=ServiceItem.objects.get(code="hardship_aid"),
        holiday=HolidayDay.objects.create(date=datetime.date(2027, 1, 1), kind="holiday", name="元旦"),
        **ledger_world(outsider, member, OUTSIDE_BATCH), pay_kind=PaymentKind.objects.get(code="warmth"),
        fund_source=FundSource.objects.get(code="union"), **ma_outside,
        inside=SimpleNamespace(
            org=tree["G1111"], employer=inside_employer, event=OrgEvent.objects.filter(org=tree["G1111"]).first(),
            user=insider, entry=inside_entry, job=inside_job,
            region=Region.objects.get(code="340102", in_use=True), member=inside_member, transfer=inside_transfer,
            member_event=MemberEvent.objects.get(member=inside_member), application=inside_application,
            join_link=portal_actions.join_link(tree["G1111"], by=system_actor()),
            card=portal_actions.current_card(inside_member),
            hall_app=inside_hall_app, **ledger_world(insider, inside_member, INSIDE_BATCH), **ma_inside),
    )


def test_every_url_has_a_sample():
    """Done-when: a URL without an entry in SAMPLES fails CI (the tock pattern)."""
    urls = all_urls()
    missing = sorted(set(urls) - set(SAMPLES))
    assert not missing, (
        "These URL patterns have no entry in gonghui/orgs/tests/test_urls_404.py SAMPLES; add one saying "
        "how an outsider is tested (object kwargs outside the subtree, or list/closed/open with a reason): "
        + ", ".join(f"{k!r} ({urls[k]})" for k in missing))
    stale = sorted(set(SAMPLES) - set(urls))
    assert not stale, f"SAMPLES names URLs that no longer exist: {stale}"
    for key, sample in SAMPLES.items():
        assert sample.kind in {"object", "list", "closed", "reference", "open"}, key
        assert sample.kind not in {"open", "reference", "closed"} or sample.reason, f"{key}: give the reason"
        assert sample.roles <= ALL, key
        if sample.kind == "list":
            assert sample.roles, f"{key}: a list nobody may read is `closed`, with its reason"


def test_every_changelist_is_covered():
    """Every registered admin has its changelist sampled: read by some role, with a distinctive outside
    row it must hide and an inside row it must show (Region, reference data, is read by all)."""
    for model in admin.site._registry:
        key = f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        sample = SAMPLES.get(key)
        assert sample is not None, f"{key}: no sample"
        if model in (Region, ServiceItem, HolidayDay, PaymentKind, FundSource):  # reference data, the same for everyone
            assert sample.kind == "reference" and sample.expect == 200
            continue
        assert sample.kind == "list" and sample.roles, key
        assert sample.hides and sample.shows, f"{key}: name the outside row to hide and an inside row to show"


@pytest.mark.parametrize("who", list(CADRES))
def test_outsider_gets_404_on_every_url(world, client, who):
    """Done-when: a cadre of another subtree gets 404 (not 403, not 200) for every object URL, by
    GET and POST, and sees no outside row on any list, search, autocomplete or API list."""
    cadre = make_cadre(world.tree["K11"], *CADRES[who], username=f"k11_{who}")
    login(client, cadre)
    form = {"name": "改名", "new_parent": world.tree["K11"].pk, "into": world.tree["K11"].pk, "reason": "测试",
            "post": "yes"}
    failures = []
    lists_seen = set()

    def expect_404(url, key, *, post, follow=False, what="outside", sample=None):
        get = sample is None or sample.get
        for method in [m for m, on in (("GET", get), ("POST", post)) if on]:
            if method == "GET":
                response = client.get(url, follow=follow)
            elif sample is not None and sample.body:
                response = client.post(url, json.dumps(sample.body(world)), content_type="application/json")
            else:
                response = client.post(url, form, follow=follow)
            if response.status_code != 404:
                failures.append(f"{method} {url} ({key}, {what} object): {response.status_code}, expected 404")
            shown = [m for m in OUTSIDE_MARKERS if m in text_of(response)]
            if shown:
                failures.append(f"{method} {url} ({key}) shows outside text {shown}")

    for key, route, _ in walk(get_resolver().url_patterns):
        sample = SAMPLES.get(key)
        if sample is None:
            failures.append(f"{key!r} ({route}) has no entry in SAMPLES: add one")
            continue
        if sample.kind == "open":
            continue
        url = build_path(key, route, sample, world)
        if sample.kind == "object":
            expect_404(url, key, post=sample.post, follow=sample.follow, sample=sample)
        elif sample.kind == "closed":
            # 404 for the inside object too: this URL is closed to everyone, it tests no scoping.
            expect_404(url, key, post=sample.post)
            if sample.inside or sample.inside_path:
                expect_404(build_path(key, route, sample, world, inside=True), key, post=sample.post,
                           what="inside")
        elif sample.kind == "reference":
            response = client.get(url)
            if response.status_code != sample.expect:
                failures.append(f"GET {url} ({key}): {response.status_code}, expected {sample.expect}")
        else:
            expected = 200 if who in sample.roles else 404
            for i, query in enumerate(sample.queries):
                cache.clear()
                response = client.get(url + query(world))
                where = f"GET {url}{query(world)} ({key})"
                if response.status_code != expected:
                    failures.append(f"{where}: {response.status_code}, expected {expected}")
                    continue
                body = text_of(response)
                for marker in dict.fromkeys(OUTSIDE_MARKERS + sample.hides):
                    if marker in body:
                        failures.append(f"{where} shows outside text {marker!r}")
                if expected == 200:
                    lists_seen.add(key)
                    if i == 0 and sample.shows and sample.shows not in body:
                        failures.append(f"{where} does not show the inside row {sample.shows!r}")
            for probe in sample.probes:
                response = client.get(url + probe(world))
                if response.status_code != 404:
                    failures.append(f"GET {url}{probe(world)} ({key}): {response.status_code}, expected 404")
    assert not failures, "\n".join(failures)
    # The lists did render for this cadre (the test is not passing on empty error pages).
    assert lists_seen == {k for k, s in SAMPLES.items() if s.kind == "list" and who in s.roles}
    assert "admin:orgs_org_changelist" in lists_seen and "api:list_orgs" in lists_seen


@pytest.mark.parametrize("who, url_name, attr", [
    ("business", "admin:orgs_org_change", "K11"),
    ("business", "admin:orgs_org_move_view", "T111"),
    ("business", "admin:orgs_org_dissolve_view", "G1111"),
    ("business", "admin:orgs_org_merge_view", "G1111"),
    ("business", "admin:orgs_orgevent_change", "event"),
    ("business", "admin:orgs_employer_change", "employer"),
    ("secadmin", "admin:accounts_user_change", "user"),
    ("auditor", "admin:common_auditentry_change", "entry"),
    ("business", "admin:orgs_org_import_status", "job"),
    ("business", "admin:orgs_org_import_errors", "job"),
    ("business", "admin:members_member_change", "member"),
    ("auditor", "admin:members_member_change", "member"),
    ("business", "admin:members_member_timeline", "member"),
    ("business", "admin:members_transfer_change", "transfer"),
    ("business", "admin:members_memberevent_change", "member_event"),
])
def test_insider_reaches_the_same_urls(world, client, who, url_name, attr):
    """Done-when: the same URLs answer 200 for an object inside the subtree (the 404s above come
    from scoping, not from a broken page)."""
    cadre = make_cadre(world.tree["K11"], *CADRES[who], username=f"k11_{who}")
    login(client, cadre)
    tree = world.tree
    target = getattr(world.inside, attr) if hasattr(world.inside, attr) else tree[attr]
    kwarg = "job_id" if attr == "job" else "object_id"
    response = client.get(reverse(url_name, kwargs={kwarg: target.pk}))
    assert response.status_code == 200
    if url_name == "admin:orgs_org_import_errors":
        assert response["Content-Type"].startswith("application/vnd")
        values = [c.value for row in load_workbook(io.BytesIO(response.content)).active.iter_rows() for c in row]
        assert "瑶海新建工会二" in values
    elif attr == "job":
        assert target.filename in response.content.decode()
    elif target.__class__ is not AuditEntry:
        assert str(target) in response.content.decode()


def test_autocomplete_offers_only_the_subtree(world, client):
    """Done-when: admin autocomplete (R-AZ-2) returns the cadre's subtree and nothing else."""
    login(client, make_cadre(world.tree["K11"], "org_admin"))
    response = client.get("/admin/autocomplete/", {"app_label": "orgs", "model_name": "org",
                                                   "field_name": "parent", "term": ""})
    assert response.status_code == 200
    names = {r["text"] for r in response.json()["results"]}
    assert names == {"瑶海区总工会", "明光路街道总工会", "合肥瑶海机械有限公司工会", "明光路商圈联合工会"}
    response = client.get("/admin/autocomplete/", {"app_label": "orgs", "model_name": "org",
                                                   "field_name": "parent", "term": "镜湖"})
    assert response.json()["results"] == []


def test_export_of_outside_ids_exports_nothing(world, client):
    """Done-when: the export action with outside ids selected returns no outside row (R-AZ-2)."""
    login(client, make_cadre(world.tree["K11"], "operator"))
    response = client.post("/admin/orgs/org/", {
        "action": "export_xlsx", "_selected_action": [world.org.pk, world.grassroots.pk, world.tree["K11"].pk]})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd")
    values = [c.value for row in load_workbook(io.BytesIO(response.content)).active.iter_rows() for c in row]
    assert "瑶海区总工会" in values
    assert not any(isinstance(v, str) and ("芜湖" in v or "镜湖" in v) for v in values)


def test_admin_add_refuses_an_outside_parent(world, client):
    """Done-when: creating an org under a parent outside the subtree is refused (R-AZ-3)."""
    login(client, make_cadre(world.tree["K11"], "org_admin"))
    response = client.post("/admin/orgs/org/add/", {
        "code": "NEW1", "name": "新建工会", "kind": Org.Kind.GRASSROOTS, "parent": world.tree["T211"].pk,
        "region_code": "340202", "employee_count": "", "founded_on": "2024-01-01"})
    assert response.status_code == 200  # the form again, with the error
    assert not Org.objects.filter(code="NEW1").exists()


def test_anonymous_is_sent_to_login_everywhere(world, client):
    """Done-when: an anonymous request to any scoped URL is sent to the login page (admin; the worker
    login for the worker pages) or answered 401 (API), the original tock assertion."""
    failures = []
    for key, route, _ in walk(get_resolver().url_patterns):
        sample = SAMPLES.get(key)
        if sample is None or sample.kind == "open":
            continue
        url = build_path(key, route, sample, world)
        if sample.get:
            response = client.get(url)
        else:
            response = client.post(url, json.dumps(sample.body(world) if sample.body else {}),
                                   content_type="application/json")
        if url.startswith("/api/"):
            ok = response.status_code == 401
        elif url.startswith("/w/"):
            ok = response.status_code == 302 and response["Location"].startswith("/w/login/?next=")
        else:
            ok = response.status_code == 302 and "/admin/login/" in response["Location"]
        if not ok:
            failures.append(f"GET {url} ({key}): {response.status_code} {response.get('Location', '')}")
    assert not failures, "\n".join(failures)
