from gonghui.common.menus import can_change, group, item

MENU = [
    # The work report's template: the province's, shown to those who keep it.
    group("统计分析", order=5, items=[
        item("工作报告模板", "article", "admin:stats_reporttemplate_changelist", can_change("stats.ReportTemplate")),
    ]),
]
