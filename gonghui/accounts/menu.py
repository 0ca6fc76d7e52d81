from gonghui.common.menus import can_view, group, item

MENU = [
    group("账号与安全", order=90, items=[
        item("账号", "badge", "admin:accounts_user_changelist", can_view("accounts.User")),
    ]),
]
