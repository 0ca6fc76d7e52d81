"""The work report's section on mutual-aid cover (see gonghui/stats/report/template.py)."""

from gonghui.stats.report import Section

SECTIONS = [
    Section("职工互助保障", 60, (
        "{% if mutualaid.covered_members %}期内参保会员{{ mutualaid.covered_members }}"
        "{{ mutualaid.covered_members|同比 }}{% if mutualaid.units %}，参保单位{{ mutualaid.units }}{% endif %}"
        "{% if mutualaid.premiums %}，收取互助金{{ mutualaid.premiums }}{% endif %}。{% endif %}"
        "{% if mutualaid.claims %}受理互助金申请{{ mutualaid.claims }}，给付互助金{{ mutualaid.benefits_paid }}"
        "{{ mutualaid.benefits_paid|同比 }}。{% endif %}"
        "{% if not mutualaid.covered_members and not mutualaid.claims %}期内暂无职工互助保障参保和给付。{% endif %}")),
]
