from gonghui.common.menus import can_view, group, item, path_is, under
from gonghui.ledger.actions import may_import_history

from .actions import may_manage

_LIST = "admin:hardship_hardshipfile_changelist"

MENU = [
    group("困难帮扶", order=50, items=[
        item("困难职工档案", "family_restroom", _LIST, can_view("hardship.HardshipFile"),
             active=under(_LIST, except_under=("admin:hardship_hardshipfile_import",), except_query={"due": "1"})),
        item("复核到期", "event_repeat", _LIST, can_view("hardship.HardshipFile"), query="?due=1",
             active=path_is(_LIST, "?due=1")),
        item("导入困难职工档案", "upload_file", "admin:hardship_hardshipfile_import", lambda r: may_manage(r.user),
             active=under("admin:hardship_hardshipfile_import", except_under=("admin:hardship_aid_history_import",))),
        item("导入历史发放记录", "history", "admin:hardship_aid_history_import",
             lambda r: may_import_history(r.user)),
    ]),
]
