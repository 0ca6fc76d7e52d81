from gonghui.common.menus import can_view, group, item, under

from .queries import can_edit_members

MENU = [
    group("会员", order=20, items=[
        item("会员名册", "groups", "admin:members_member_changelist", can_view("members.Member"),
             active=under("admin:members_member_changelist", except_under=("admin:members_member_import",))),
        item("导入会员", "upload_file", "admin:members_member_import", lambda r: can_edit_members(r.user)),
        item("转会申请", "swap_horiz", "admin:members_transfer_changelist", can_view("members.Transfer")),
        item("会籍变动", "timeline", "admin:members_memberevent_changelist", can_view("members.MemberEvent")),
    ]),
]
