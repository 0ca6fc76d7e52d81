"""The work report's section on the online service hall (see gonghui/stats/report/template.py)."""

from gonghui.stats.report import Section

SECTIONS = [
    Section("网上办事", 40, (
        "{% if hall.received %}工会网上办事大厅期内受理各类办件{{ hall.received }}{{ hall.received|同比 }}，"
        "办结{{ hall.completed }}，办结率{{ hall.completion_rate }}，按时办结率{{ hall.on_time_rate }}"
        "{% if hall.satisfaction %}，职工评价平均{{ hall.satisfaction }}{% endif %}。"
        "{% else %}期内网上办事大厅未收到办件。{% endif %}")),
]
