from gonghui.common.menus import can_change, can_view, group, item, path_is, under

_LIST = "admin:hall_application_changelist"

MENU = [
    group("网上办事大厅", order=40, items=[
        item("待我办理", "inbox", _LIST, can_view("hall.Application"), query="?mine=1",
             active=path_is(_LIST, "?mine=1")),
        item("办件", "description", _LIST, can_view("hall.Application"),
             active=under(_LIST, except_query={"mine": "1"})),
        item("办事项", "list_alt", "admin:hall_serviceitem_changelist", can_view("hall.ServiceItem")),
        # The holiday table is province-wide: only those who keep it see it.
        item("节假日调整", "event", "admin:hall_holidayday_changelist", can_change("hall.HolidayDay")),
    ]),
]
