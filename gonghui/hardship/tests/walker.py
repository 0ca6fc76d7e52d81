"""The URL walker's samples of the hardship files (gonghui/common/tests/walking.py says how they are used): the
files in the back office, their action pages and the Excel import of existing files."""

from gonghui.common.tests.walking import ALL, MEMBER_EDITORS, admin_model, lst, obj
from gonghui.hardship import actions
from gonghui.members.tests.walker import INSIDE_MEMBER, OUTSIDE_MEMBER, finished_member_import

SAMPLES = {
    **admin_model("hardship_hardshipfile", "hardship_file", roles=ALL, add_roles=MEMBER_EDITORS,
                  hides=[OUTSIDE_MEMBER], shows=INSIDE_MEMBER, probes=[lambda w: "?org=K21"],
                  extra_queries=[lambda w: f"?q={w.member.member_number}", lambda w: "?due=1",
                                 lambda w: "?status=open&level=county", lambda w: "?org=K11"]),
    **{f"admin:hardship_hardshipfile_{name}": obj(lambda w: {"object_id": w.hardship_file.pk})
       for name in ("plan", "pair", "review", "close", "ledger")},
    # The Excel import of existing hardship files: an outside finished job of kind "hardship".
    "admin:hardship_hardshipfile_import": lst(roles=MEMBER_EDITORS),
    "admin:hardship_hardshipfile_import_template": lst(roles=MEMBER_EDITORS),
    "admin:hardship_hardshipfile_import_result": obj(lambda w: {"job_id": w.hardship_job.pk}),
    "admin:hardship_hardshipfile_import_errors": obj(lambda w: {"job_id": w.hardship_job.pk}),
    # The import of past aid payments: an outside finished job of kind "aid_history".
    "admin:hardship_aid_history_import": lst(roles=MEMBER_EDITORS),
    "admin:hardship_aid_history_import_template": lst(roles=MEMBER_EDITORS),
    "admin:hardship_aid_history_import_result": obj(lambda w: {"job_id": w.aid_history_job.pk}),
    "admin:hardship_aid_history_import_errors": obj(lambda w: {"job_id": w.aid_history_job.pk}),
}


def build(world) -> None:
    """A county-level file of each side's member, opened by the side's cadre; a finished hardship import of
    outsider_k21,
    and a finished import of their past aid payments."""
    for side in (world, world.inside):
        member = side.member
        side.hardship_file = actions.open_file(member=member, level="county", category="deep", by=side.user,
                                               household=[{"name": member.name, "relation": "本人",
                                                           "monthly_income": "900"}])
    world.hardship_job = finished_member_import(world.user, "芜湖困难档案导入.xlsx", kind="hardship")
    world.aid_history_job = finished_member_import(world.user, "芜湖历史发放导入.xlsx", kind="aid_history")
