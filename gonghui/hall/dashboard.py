"""网上办事 on the dashboard (gonghui/stats/panels.py)."""

from gonghui.stats.panels import Panel

PANELS = [
    Panel("hall", "网上办事", order=40,
          key=("hall.received", "hall.completed", "hall.completion_rate", "hall.on_time_rate", "hall.satisfaction"),
          trend=("hall.received", "hall.completed"),
          composition=("hall.accepted", "hall.completed", "hall.returned", "hall.rejected"),
          composition_title="办件办理情况"),
]
