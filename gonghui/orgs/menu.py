from gonghui.common.menus import both, can_view, group, item, under

from .models import Org
from .queries import can_manage_orgs

MENU = [
    group("工会组织", order=10, items=[
        item("组织树", "account_tree", "admin:orgs_org_tree", can_view("orgs.Org")),
        item("工会组织", "corporate_fare", "admin:orgs_org_changelist", can_view("orgs.Org"),
             active=under("admin:orgs_org_changelist", except_under=("admin:orgs_org_tree", "admin:orgs_org_import"))),
        # Grassroots unions have no unions under them to import.
        item("导入组织", "upload_file", "admin:orgs_org_import",
             both(lambda r: can_manage_orgs(r.user), lambda r: r.user.org.level != Org.Level.GRASSROOTS)),
        item("用人单位", "factory", "admin:orgs_employer_changelist", can_view("orgs.Employer")),
        item("组织沿革", "history", "admin:orgs_orgevent_changelist", can_view("orgs.OrgEvent")),
    ]),
]
