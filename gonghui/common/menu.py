from .menus import at_levels, both, can_view, group, item

MENU = [
    group("工会组织", order=19, items=[
        # Reference data kept with the code (GB/T 2260): the province looks it up, nobody below needs it.
        item("行政区划", "map", "admin:common_region_changelist",
             both(can_view("common.Region"), at_levels("province", "national"))),
    ]),
    group("账号与安全", order=91, items=[
        item("审计日志", "policy", "admin:common_auditentry_changelist", can_view("common.AuditEntry")),
    ]),
]
