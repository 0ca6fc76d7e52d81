"""The URL walker's samples of the common app (gonghui/common/tests/walking.py says how they are used): the
audit log, read by auditors within their subtree, and the regions (GB/T 2260), the same for everyone."""

from gonghui.common import audit
from gonghui.common.models import Region
from gonghui.common.tests.walking import NO_DELETE, admin_model, reference_model

OUTSIDE_ENTRY = "芜湖外部审计标记"  # an audit entry of outsider_k21
INSIDE_ENTRY = "瑶海内部审计标记"

SAMPLES = {
    **admin_model("common_auditentry", "entry", roles=frozenset({"auditor"}), hides=[OUTSIDE_ENTRY],
                  shows=INSIDE_ENTRY, extra_queries=[lambda w: "?q=外部审计标记", lambda w: "?q=outsider"]),
    **reference_model("common_region", "region", "GB/T 2260 reference data", inside_attr="region",
                      add="GB/T 2260 reference data: loaded by command, never added here",
                      delete=NO_DELETE + "; GB/T 2260 reference data is never deleted"),
}


def build(world) -> None:
    tree = world.tree
    world.entry = audit.record("update", actor=world.user, obj=tree["G2111"], object_repr=OUTSIDE_ENTRY)
    world.inside.entry = audit.record("update", actor=world.inside.user, obj=tree["G1111"], object_repr=INSIDE_ENTRY)
    world.region = Region.objects.get(code="340202", in_use=True)
    world.inside.region = Region.objects.get(code="340102", in_use=True)
