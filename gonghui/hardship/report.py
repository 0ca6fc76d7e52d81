"""The work report's section on helping workers in hardship (see gonghui/stats/report/template.py)."""

from gonghui.stats.report import Section

SECTIONS = [
    Section("困难职工帮扶", 50, (
        "{% if hardship.helped %}期内帮扶困难职工{{ hardship.helped }}{{ hardship.helped|同比 }}"
        "{{ hardship.helped|目标 }}，发放帮扶资金{{ hardship.aid_amount }}{{ hardship.aid_amount|同比 }}。"
        "{% else %}期内未发放帮扶资金。{% endif %}"
        "{% if hardship.opened %}新建档困难职工{{ hardship.opened }}。{% endif %}"
        "{% if hardship.exited %}退出档案{{ hardship.exited }}"
        "{% if hardship.exited_relieved %}，其中解困脱困{{ hardship.exited_relieved }}{% endif %}。{% endif %}"
        "{% if hardship.paired %}期末已结对帮扶困难职工{{ hardship.paired }}。{% endif %}")),
]
