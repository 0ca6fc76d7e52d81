"""The URL walker's samples of the members app (gonghui/common/tests/walking.py says how they are used): the
roster, its pages (export, lookup, timeline, membership changes), transfers, member events, the member import
and the API. An org filter naming an outside org answers 404, like an outside object."""

from gonghui.common.actors import system_actor
from gonghui.common.excel import build_workbook
from gonghui.common.models import ImportJob
from gonghui.common.tests.walking import ALL, MEMBER_EDITORS, admin_model, lst, obj
from gonghui.members.actions import join_member, request_transfer
from gonghui.members.models import MemberEvent
from gonghui.members.tests.conftest import make_facts, make_id

OUTSIDE_MEMBER = "芜湖外区会员"  # a member of G2111, with a pending transfer to T211
OUTSIDE_MEMBER_ID = make_id("340202", "19880808", 515)  # their ID number (the lookup samples post it)
INSIDE_MEMBER = "瑶海内部会员"
INSIDE_MEMBER_ID = make_id("340102", "19880808", 516)

SAMPLES = {
    **admin_model("members_member", "member", roles=ALL, add_roles=MEMBER_EDITORS, hides=[OUTSIDE_MEMBER],
                  shows=INSIDE_MEMBER, extra_queries=[lambda w: f"?q={w.member.member_number}",
                                                      lambda w: "?status=active", lambda w: "?org=K11"],
                  probes=[lambda w: "?org=K21", lambda w: "?org=G2111"]),
    "admin:members_member_export": lst(queries=[lambda w: "", lambda w: "?status=active", lambda w: "?org=T111",
                                                lambda w: f"?q={w.member.member_number}"],
                                       probes=[lambda w: "?org=K21", lambda w: "?org=G2111&status=active"]),
    "admin:members_member_lookup": lst(shows="证件号码"),
    **{f"admin:members_member_{name}": obj(lambda w: {"object_id": w.member.pk})
       for name in ("timeline", "reveal", "leave", "retire", "decease", "ledger")},
    **admin_model("members_transfer", "transfer", roles=ALL, add_roles=MEMBER_EDITORS, hides=[OUTSIDE_MEMBER],
                  shows=INSIDE_MEMBER, extra_queries=[lambda w: f"?q={w.member.member_number}"]),
    **{f"admin:members_transfer_{name}": obj(lambda w: {"object_id": w.transfer.pk})
       for name in ("approve", "reject", "cancel")},
    **admin_model("members_memberevent", "member_event", roles=ALL, hides=[OUTSIDE_MEMBER], shows=INSIDE_MEMBER,
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
}


def build(world) -> None:
    """A member of each side (G2111, G1111), each with its joining event and a pending transfer within its own
    subtree; a finished member import of outsider_k21."""
    tree = world.tree
    world.member = join_member(org=tree["G2111"], by=system_actor(), facts=make_facts(
        name=OUTSIDE_MEMBER, id_number=OUTSIDE_MEMBER_ID, mobile="13955550001"))
    world.inside.member = join_member(org=tree["G1111"], by=system_actor(), facts=make_facts(
        name=INSIDE_MEMBER, id_number=INSIDE_MEMBER_ID, mobile="13955550002"))
    world.transfer = request_transfer(id_number=OUTSIDE_MEMBER_ID, name=OUTSIDE_MEMBER, to_org=tree["T211"],
                                      by=world.user)
    world.inside.transfer = request_transfer(id_number=INSIDE_MEMBER_ID, name=INSIDE_MEMBER, to_org=tree["G1112"],
                                             by=world.inside.user)
    world.member_event = MemberEvent.objects.get(member=world.member)
    world.inside.member_event = MemberEvent.objects.get(member=world.inside.member)
    world.member_job = finished_member_import(world.user, "芜湖会员导入.xlsx")


def finished_member_import(by, filename: str, kind: str = "members") -> ImportJob:
    """A finished import run of `by` (a member import, or another `kind` reading members) with its error
    workbook stored the way the imports store it (its names and errors outside texts), so that the import
    pages have something to leak without scoping."""
    job = ImportJob.objects.create(kind=kind, created_by=by, org=by.org, filename=filename,
                                   status=ImportJob.Status.DONE, total=1, done=1,
                                   summary={"rows": 1, "imported": 0, "rejected": 1, "errors": [
                                       {"row": 2, "column": "姓名", "message": "芜湖外区错误"}]})
    job.store_error_file(build_workbook("错误", ["姓名", "错误说明"], [["芜湖外区会员乙", "芜湖外区错误"]]),
                         name=f"{kind}-errors")
    job.save()
    return job
