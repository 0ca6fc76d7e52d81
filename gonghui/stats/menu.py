from django.urls import reverse

from gonghui.common.menus import can_view, group, item

from .actions import sets_targets

MENU = [
    group("统计分析", order=5, items=[
        item("统计分析", "monitoring", "stats:dashboard", lambda r: r.user.is_active and r.user.org_id is not None,
             active=lambda r: r.path == reverse("stats:dashboard")),
        item("目标任务", "flag", "admin:stats_target_changelist", can_view("stats.Target")),
        item("导入目标任务", "upload_file", "admin:stats_target_import", lambda r: sets_targets(r.user)),
    ]),
]
