"""The dashboard panels of the apps below the engine (organizations, members); every app above declares its
own in its `dashboard.py` (gonghui/stats/panels.py)."""

from .panels import Panel

PANELS = [
    Panel("orgs", "组织建设", order=10,
          key=("orgs.unions_total", "orgs.grassroots_total", "orgs.unions_new", "orgs.unions_closed",
               "orgs.employers_100plus_rate", "orgs.congress_rate"),
          trend=("orgs.unions_new", "orgs.unions_closed"),
          composition=("orgs.unions_federation", "orgs.unions_industrial", "orgs.unions_sector", "orgs.unions_area",
                       "orgs.unions_grassroots", "orgs.unions_joint"),
          composition_title="工会组织构成（期末）", composition_kind="doughnut"),
    Panel("members", "会员发展", order=20,
          key=("members.total", "members.joined", "members.joined_migrant_workers", "members.joined_eight_groups",
               "members.transfers_in", "members.transfers_out", "members.left"),
          trend=("members.joined", "members.left", "members.retired"),
          composition=("members.women", "members.migrant_workers", "members.eight_groups", "members.new_employment"),
          composition_title="期末会员中"),
]
