"""The URL walker's samples of the statistics API (gonghui/common/tests/walking.py says how they are used): the
figures of an org's subtree (an outside org is 404) and the figure catalogue."""

from gonghui.common.tests.walking import lst, open_

PERIOD = "from=2026-01-01&to=2026-12-31"

SAMPLES = {
    "api:stats_figures": lst(queries=[lambda w: f"?org=K11&{PERIOD}", lambda w: f"?org=G1111&{PERIOD}&keys=members.",
                                      lambda w: f"?org=T111&{PERIOD}&keys=hardship."],
                             probes=[lambda w: f"?org=K21&{PERIOD}", lambda w: f"?org=G2111&{PERIOD}",
                                     lambda w: f"?org=C2&{PERIOD}&keys=orgs.", lambda w: f"?org=P&{PERIOD}"],
                             hides=["镜湖区总工会", "芜湖"], shows="瑶海区总工会"),
    "api:stats_catalogue": open_("the figure catalogue: names, units and definitions, the same for every cadre; "
                                 "no figure of any organization"),
}
