"""Audit action codes of the statistics engine."""

from gonghui.common.audit import register

register({
    "stats_target_set": "设定目标任务",
    "stats_export": "导出统计分析",
    # The work report
    "stats_report_template_save": "保存工作报告模板",
    "stats_report_template_activate": "回退工作报告模板",
    "stats_report_download": "下载工作报告",
})
