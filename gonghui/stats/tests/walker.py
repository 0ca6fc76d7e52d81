"""The URL walker's samples of the statistics engine (gonghui/common/tests/walking.py says how they are used):
the dashboard (统计分析, the back office's home page, drilling down only inside the subtree) and its exports; the
targets (目标任务), their set page and their Excel import; the work report and its template; the figures over the
API (an outside org is 404) and the figure catalogue."""

from gonghui.common.actors import system_actor
from gonghui.common.tests.walking import (
    ALL,
    NO_DELETE,
    ORG_ADMINS,
    admin_model,
    closed,
    lst,
    obj,
    open_,
    reference_model,
)
from gonghui.members.tests.walker import finished_member_import
from gonghui.stats.actions import set_target
from gonghui.stats.report.actions import save_template

# The work report ----------------------------------------------------------------------------------------------
# Its download for a union of the cadre's subtree (K11's by default; K21 and C2 are outside); the template's
# versions, the same for the whole province: read by every cadre, kept by the province's administrators.
REPORT_SAMPLES = {
    "stats:report": lst(roles=ALL, queries=[lambda w: "", lambda w: "?org=K11&from=2026-01-01&to=2026-06-30",
                                            lambda w: "?org=T111&format=xlsx"],
                        probes=[lambda w: "?org=K21", lambda w: "?org=C2&from=2026-01-01&to=2026-06-30&format=xlsx"]),
    **reference_model("stats_reporttemplate", "report_template", "the province's work report template, the same "
                      "for everyone", add="only a province administrator edits the report template",
                      delete=NO_DELETE + "; the versions are the template's history"),
    "admin:stats_reporttemplate_rollback": closed("only a province administrator rolls the report template back",
                                                  lambda w: {"object_id": w.report_template.pk}),
}

PERIOD = "from=2026-01-01&to=2026-12-31"

SAMPLES = {
    **REPORT_SAMPLES,
    "stats:dashboard": lst(
        roles=ALL, shows="瑶海区总工会",
        queries=[lambda w: "", lambda w: "?org=T111", lambda w: "?org=G1111&period=quarter",
                 lambda w: "?period=custom&from=2026-01-01&to=2026-06-30&sort=-members.total",
                 lambda w: "?export=children", lambda w: "?export=figures", lambda w: "?export=targets"],
        probes=[lambda w: "?org=K21", lambda w: "?org=G2111", lambda w: "?org=K12", lambda w: "?org=C1",
                lambda w: "?org=K21&export=children"]),
    **admin_model("stats_target", "target", roles=ALL, add_roles=ORG_ADMINS, hides=["镜湖区总工会"],
                  shows="明光路街道总工会", probes=[lambda w: "?org=K21"],
                  extra_queries=[lambda w: "?year=2026", lambda w: "?org=T111", lambda w: "?key=members.joined"]),
    "admin:stats_target_import": lst(roles=ORG_ADMINS),
    "admin:stats_target_import_template": lst(roles=ORG_ADMINS),
    "admin:stats_target_import_result": obj(lambda w: {"job_id": w.target_job.pk}),
    "admin:stats_target_import_errors": obj(lambda w: {"job_id": w.target_job.pk}),
    # The API.
    "api:stats_figures": lst(queries=[lambda w: f"?org=K11&{PERIOD}", lambda w: f"?org=G1111&{PERIOD}&keys=members.",
                                      lambda w: f"?org=T111&{PERIOD}&keys=hardship."],
                             probes=[lambda w: f"?org=K21&{PERIOD}", lambda w: f"?org=G2111&{PERIOD}",
                                     lambda w: f"?org=C2&{PERIOD}&keys=orgs.", lambda w: f"?org=P&{PERIOD}"],
                             hides=["镜湖区总工会", "芜湖"], shows="瑶海区总工会"),
    "api:stats_catalogue": open_("the figure catalogue: names, units and definitions, the same for every cadre; "
                                 "no figure of any organization"),
}


def build(world) -> None:
    """A target of K21 (outside) and of T111 (inside), and a finished target import of outsider_k21."""
    tree = world.tree
    world.target, _ = set_target(org=tree["K21"], year=2026, key="members.joined", value=100, by=system_actor())
    world.inside.target, _ = set_target(org=tree["T111"], year=2026, key="members.joined", value=50,
                                        by=system_actor())
    world.target_job = finished_member_import(world.user, "芜湖目标任务导入.xlsx", kind="targets")
    # Two versions of the report template (the first, not in use, is the one a rollback would restore).
    world.report_template = save_template(body="新增会员{{ members.joined }}。", by=system_actor())
    save_template(body="期内新增会员{{ members.joined }}。", by=system_actor())
