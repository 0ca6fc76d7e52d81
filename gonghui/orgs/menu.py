from gonghui.common.menus import can_view, group, item, under

from .queries import can_import_orgs

MENU = [
    group("工会组织", order=10, items=[
        item("组织树", "account_tree", "admin:orgs_org_tree", can_view("orgs.Org")),
        item("工会组织", "corporate_fare", "admin:orgs_org_changelist", can_view("orgs.Org"),
             active=under("admin:orgs_org_changelist", except_under=("admin:orgs_org_tree", "admin:orgs_org_import"))),
        item("导入组织", "upload_file", "admin:orgs_org_import", lambda r: can_import_orgs(r.user)),
        item("用人单位", "factory", "admin:orgs_employer_changelist", can_view("orgs.Employer")),
        item("组织沿革", "history", "admin:orgs_orgevent_changelist", can_view("orgs.OrgEvent")),
    ]),
]
