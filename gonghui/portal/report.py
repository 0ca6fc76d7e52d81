"""The work report's section on joining online (see gonghui/stats/report/template.py for the language)."""

from gonghui.stats.report import Section

SECTIONS = [
    Section("网上入会", 30, (
        "{% if portal.applications_received %}期内受理网上入会申请{{ portal.applications_received }}"
        "{{ portal.applications_received|同比 }}，审核通过{{ portal.applications_approved }}"
        "{% if portal.qr_joins %}，其中扫码入会{{ portal.qr_joins }}{% endif %}。"
        "{% else %}期内未收到网上入会申请。{% endif %}"
        "{% if portal.cards_issued %}发放电子会员卡{{ portal.cards_issued }}，"
        "电子会员卡验证{{ portal.cards_verified }}。{% endif %}")),
]
