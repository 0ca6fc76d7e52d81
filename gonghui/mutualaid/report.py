"""The work report's section on mutual-aid cover (see gonghui/stats/report/template.py)."""

from gonghui.stats.report import Section

SECTIONS = [
    Section("职工互助保障", 60, (
        "{% if mutualaid.covered_members or mutualaid.claims %}"
        "期内{{ mutualaid.units }}单位参加职工互助保障，参保会员{{ mutualaid.covered_members }}"
        "{{ mutualaid.covered_members|同比 }}，收取互助金{{ mutualaid.premiums }}；"
        "受理互助金申请{{ mutualaid.claims }}，给付互助金{{ mutualaid.benefits_paid }}"
        "{{ mutualaid.benefits_paid|同比 }}。"
        "{% else %}期内暂无职工互助保障参保和给付。{% endif %}")),
]
