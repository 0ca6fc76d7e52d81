from gonghui.common.menus import can_view, group, item

MENU = [
    group("职工服务", order=30, items=[
        item("入会申请", "how_to_reg", "admin:portal_joinapplication_changelist", can_view("portal.JoinApplication")),
        item("实名绑定确认", "verified_user", "admin:portal_bindingrequest_changelist",
             can_view("portal.BindingRequest")),
        item("入会二维码", "qr_code_2", "admin:portal_joinlink_changelist", can_view("portal.JoinLink")),
        item("电子会员卡", "badge", "admin:portal_membercard_changelist", can_view("portal.MemberCard")),
    ]),
]
