"""The URL walker's samples of the orgs app (gonghui/common/tests/walking.py says how they are used): the
organization tree (its pages, detail actions, import and API), employers and organization events. The tree is
gonghui/conftest.py's: C2's subtree (芜湖, 镜湖) and the K12 sibling (庐阳) are outside the K11 cadres."""

from gonghui.common import imports, uscc
from gonghui.common.models import ImportJob
from gonghui.common.tests.walking import ALL, ORG_ADMINS, admin_model, lst, obj
from gonghui.orgs import importing
from gonghui.orgs.models import Employer, OrgEvent

OUTSIDE_EMPLOYER = "外区专用单位甲"  # an employer of G2111
INSIDE_EMPLOYER = "合肥内部机械有限公司"
OUTSIDE_GRASSROOTS = "芜湖镜湖纺织有限公司工会"  # G2111, whose founding event is the OrgEvent sample
# Texts only outside rows carry: the C2 subtree (芜湖/镜湖), the K12 sibling (庐阳) and the employer above.
OUTSIDE_MARKERS = ["芜湖", "镜湖", "庐阳", OUTSIDE_EMPLOYER]

SAMPLES = {
    # The unfold detail actions and the tree.
    "admin:orgs_org_tree": lst(probes=[lambda w: f"?parent={w.org.pk}", lambda w: f"?parent={w.grassroots.pk}"],
                               shows="明光路街道总工会"),
    "admin:orgs_org_import": lst(roles=ORG_ADMINS),
    # The org picker's search: the account's subtree only, whatever the term.
    "admin:orgs_org_pick": lst(queries=[lambda w: "", lambda w: "?term=K11", lambda w: "?term=G2111",
                                        lambda w: "?term=芜湖", lambda w: "?term=纺织&page=2"],
                               shows="瑶海区总工会"),
    # A finished run of the outside subtree with an error workbook on disk: without scoping, an org
    # admin would get its page and its file (200); the other roles are refused by the view anyway.
    "admin:orgs_org_import_status": obj(lambda w: {"job_id": w.job.pk}),
    "admin:orgs_org_import_errors": obj(lambda w: {"job_id": w.job.pk}),
    "admin:orgs_org_move_view": obj(lambda w: {"object_id": w.org.pk}),
    "admin:orgs_org_dissolve_view": obj(lambda w: {"object_id": w.grassroots.pk}),
    "admin:orgs_org_merge_view": obj(lambda w: {"object_id": w.grassroots.pk}),
    **admin_model("orgs_org", "org", roles=ALL, add_roles=ORG_ADMINS, hides=["镜湖区总工会", OUTSIDE_GRASSROOTS],
                  shows="瑶海区总工会"),
    **admin_model("orgs_employer", "employer", roles=ALL, hides=[OUTSIDE_EMPLOYER], shows=INSIDE_EMPLOYER,
                  extra_queries=[lambda w: f"?q={w.employer.uscc}", lambda w: "?q=外区专用"]),
    **admin_model("orgs_orgevent", "event", roles=ALL, hides=[OUTSIDE_GRASSROOTS], shows="合肥瑶海机械有限公司工会",
                  extra_queries=[lambda w: "?q=G2111"]),
    # The API.
    "api:list_orgs": lst(queries=[lambda w: "?limit=1000", lambda w: "?q=纺织", lambda w: "?q=G2111",
                                  lambda w: "?kind=grassroots&limit=1000"],
                         probes=[lambda w: "?under=K21", lambda w: "?under=G2111"],
                         hides=["镜湖区总工会", OUTSIDE_GRASSROOTS], shows="瑶海区总工会"),
    "api:get_org": obj(lambda w: {"code": w.org.code}, post=False),
}


def build(world) -> None:
    """K21 and G2111 with an employer, G2111's founding event and a finished org import of outsider_k21;
    on the inside G1111 with the same."""
    tree = world.tree
    world.org, world.grassroots, world.inside.org = tree["K21"], tree["G2111"], tree["G1111"]
    world.employer = Employer.objects.create(
        name=OUTSIDE_EMPLOYER, uscc=uscc.make("91", "340202", "MA0000001"), union=tree["G2111"],
        region_code="340202")
    world.inside.employer = Employer.objects.create(
        name=INSIDE_EMPLOYER, uscc=uscc.make("91", "340102", "MA0000002"), union=tree["G1111"],
        region_code="340102")
    world.event = OrgEvent.objects.filter(org=tree["G2111"]).first()
    world.inside.event = OrgEvent.objects.filter(org=tree["G1111"]).first()
    world.job = finished_import(world.user, "芜湖导入.xlsx", "G2119", "芜湖新建工会")
    world.inside.job = finished_import(world.inside.user, "瑶海导入.xlsx", "G1119", "瑶海新建工会")


def finished_import(by, filename: str, code: str, name: str) -> ImportJob:
    """A finished org import run of `by` with one rejected row and its (encrypted) error workbook, kept the way
    the back office keeps a run done in the request."""
    result = imports.ImportResult(rows=2, imported=1, header=["组织代码", "上级组织代码", "组织名称", "组织类型"])
    result.reject(3, ["", by.org.code, name + "二", "基层工会"], [("组织代码", "组织代码不能为空。")])
    job = imports.keep_run(importing.ORGS, result, by=by, filename=filename)
    assert job.finished_at and job.error_file
    return job
