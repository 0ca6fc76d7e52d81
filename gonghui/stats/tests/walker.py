"""The URL walker's samples of the statistics engine (gonghui/common/tests/walking.py says how they are used)."""

from gonghui.common.actors import system_actor
from gonghui.common.tests.walking import ALL, NO_DELETE, closed, lst, reference_model
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

SAMPLES = {**REPORT_SAMPLES}


def build(world) -> None:
    """Two versions of the report template (the first, not in use, is the one a rollback would restore)."""
    world.report_template = save_template(body="新增会员{{ members.joined }}。", by=system_actor())
    save_template(body="期内新增会员{{ members.joined }}。", by=system_actor())
