"""Audit action codes of the statistics engine."""

from gonghui.common.audit import register

register({
    "stats_target_set": "设定目标任务",
    "stats_export": "导出统计分析",
})
