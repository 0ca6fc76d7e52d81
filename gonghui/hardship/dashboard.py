"""困难职工帮扶 on the dashboard (gonghui/stats/panels.py)."""

from gonghui.stats.panels import Panel

PANELS = [
    Panel("hardship", "困难职工帮扶", order=50,
          key=("hardship.on_file", "hardship.opened", "hardship.helped", "hardship.aid_amount",
               "hardship.exited_relieved"),
          trend=("hardship.opened", "hardship.helped", "hardship.exited"),
          composition=("hardship.aid_living", "hardship.aid_medical", "hardship.aid_serious_illness",
                       "hardship.aid_education", "hardship.aid_warmth", "hardship.aid_employment"),
          composition_title="帮扶资金按类别（万元）", composition_kind="doughnut"),
]
