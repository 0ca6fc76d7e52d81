"""The programs' part of the demo province: each installed app may hold a `demo.py` with `load(demo)`, called
in INSTALLED_APPS order after the tree, the members and the demo accounts exist, so the back-office pages and
figures show something after `make run`. An app writes through its actions, like a user."""

import dataclasses
import datetime
from collections.abc import Callable

from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.common.contrib import app_modules
from gonghui.members.models import Member

TOWN_MEMBERS = 30  # the town's first active members, shared by the programs (enough for each one's cast)


@dataclasses.dataclass(frozen=True)
class Demo:
    """What an app's demo.py gets: the province, county and town cadres of the demo accounts (sheng, xian,
    zhen), the town's first active members, today, and `say` for one line of progress."""

    province: User
    county: User
    town: User
    members: list[Member]
    today: datetime.date
    say: Callable[[str], None]


def load_programs(say) -> None:
    province, county, town = (User.objects.get(username=u) for u in ("sheng", "xian", "zhen"))
    members = list(Member.objects.filter(org__path__startswith=town.org.path, status=Member.Status.ACTIVE)
                   .select_related("org").order_by("id")[:TOWN_MEMBERS])
    demo = Demo(province, county, town, members, timezone.localdate(), say)
    for _, module in app_modules("demo"):
        module.load(demo)
