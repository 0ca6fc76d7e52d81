"""The work report (工作情况报告): a Word document in the shape of the federations' half-year reports, with the
figures of an organization's subtree over a period, and an Excel annex by direct child organization.

Its text is a template of sections. Each app contributes its sections in a `report.py` module holding
`SECTIONS` (a list of `Section`), found by `gonghui.common.contrib.app_modules("report")`; this package is the
statistics engine's own, with the sections of the apps below it (organizations, members), as `stats/figures/`
holds their figures. The default template is the sections in `order`; the province's administrators may edit
and save it as a new version (`ReportTemplate`), which then replaces the default.

- `template.py`: the template language (Django's template engine with only `if` and the report's filters) and
  its check;
- `document.py`: the figures of a report, the .docx and the .xlsx;
- `actions.py`, `admin.py`, `views.py`: the template's versions in the back office and the download.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    """A part of the report: a heading (none for the opening paragraph) and its text in the template language
    (see template.py), placed by `order` (10 orgs, 20 members, 30 portal, 40 hall, 50 hardship, 60 mutual aid;
    a later program takes the next free number)."""

    title: str
    order: int
    text: str


SECTIONS = [
    Section("", 0, (
        "{{ 期间 }}，{{ 工会 }}团结带领广大职工，扎实推进工会组织建设、会员发展、网上办事和帮扶保障等各项工作。"
        "现将有关情况报告如下。")),
    Section("组织建设", 10, (
        "{% if orgs.unions_new %}期内新建工会组织{{ orgs.unions_new }}{{ orgs.unions_new|同比 }}"
        "{{ orgs.unions_new|目标 }}。{% endif %}"
        "截至期末，共有工会组织{{ orgs.unions_total }}，其中基层工会（含联合基层工会）{{ orgs.grassroots_total }}。\n"
        "{% if orgs.employers_100plus_rate != None %}百人以上企业建会率{{ orgs.employers_100plus_rate }}"
        "{{ orgs.employers_100plus_rate|同比 }}；{% endif %}"
        "{% if orgs.congress_rate != None %}职代会建制率{{ orgs.congress_rate }}，"
        "厂务公开建制率{{ orgs.disclosure_rate }}。{% endif %}")),
    Section("会员发展", 20, (
        "期内新增会员{{ members.joined }}{{ members.joined|同比 }}{{ members.joined|目标 }}"
        "{% if members.joined_migrant_workers or members.joined_eight_groups %}，其中"
        "{% if members.joined_migrant_workers %}农民工会员{{ members.joined_migrant_workers }}"
        "{{ members.joined_migrant_workers|目标 }}{% endif %}"
        "{% if members.joined_migrant_workers and members.joined_eight_groups %}，{% endif %}"
        "{% if members.joined_eight_groups %}“八大群体”会员{{ members.joined_eight_groups }}{% endif %}"
        "{% endif %}。"
        "截至期末，共有会员{{ members.total }}{{ members.total|同比 }}"
        "{% if members.women %}，其中女性会员{{ members.women }}{% endif %}。"
        "{% if members.transfers_in or members.transfers_out %}期内转入会员{{ members.transfers_in }}，"
        "转出会员{{ members.transfers_out }}。{% endif %}")),
]
