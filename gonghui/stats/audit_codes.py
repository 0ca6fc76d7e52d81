"""Audit action codes of the statistics engine."""

from gonghui.common.audit import register

# The work report --------------------------------------------------------------------------------------------
register({
    "stats_report_template_save": "保存工作报告模板",
    "stats_report_template_activate": "回退工作报告模板",
    "stats_report_download": "下载工作报告",
})
