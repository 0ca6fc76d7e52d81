"""职工互助保障 on the dashboard (gonghui/stats/panels.py)."""

from gonghui.stats.panels import Panel

PANELS = [
    Panel("mutualaid", "职工互助保障", order=60,
          key=("mutualaid.units", "mutualaid.covered_members", "mutualaid.premiums", "mutualaid.claims",
               "mutualaid.benefits_paid"),
          trend=("mutualaid.claims",),
          composition=("mutualaid.premiums", "mutualaid.benefits_paid"),
          composition_title="互助金收支（万元）"),
]
