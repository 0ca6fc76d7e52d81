"""网上入会 on the dashboard (gonghui/stats/panels.py)."""

from gonghui.stats.panels import Panel

PANELS = [
    Panel("portal", "网上入会", order=30,
          key=("portal.applications_received", "portal.applications_approved", "portal.qr_joins",
               "portal.cards_issued"),
          trend=("portal.applications_received", "portal.applications_approved"),
          composition=("portal.applications_received", "portal.applications_approved",
                       "portal.applications_returned", "portal.qr_joins"),
          composition_title="入会申请办理"),
]
