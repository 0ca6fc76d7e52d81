"""The demo county's membership changes over the year, through the actions: transfers between its unions
(asked by the receiving town, approved by the county) and memberships ended (退会, 退休, 去世). The generated
members (demo/members.py) already join, move and leave over the years at every scale; this adds the
cadres' own work of the year at the small scale."""

import datetime

from gonghui.common import pii

from . import actions
from .models import ID_CONTEXT, Member

TRANSFERS = 6
ENDINGS = [Member.Status.LEFT] * 4 + [Member.Status.RETIRED] * 3 + [Member.Status.DECEASED]


def load(demo) -> None:
    if demo.bulk:
        return
    rng, county, town = demo.rng("members"), demo.county, demo.town
    # Members of the county's other towns, in the county before the year began (the demo cast stays).
    cast = {m.pk for m in demo.members}
    pool = [m for m in Member.objects.subtree(county.org).active().exclude(org__path__startswith=town.org.path)
            .filter(join_date__lt=demo.first_day).select_related("org").order_by("id")[:200] if m.pk not in cast]
    rng.shuffle(pool)
    receiving = demo.grassroots.org if demo.grassroots else town.org
    moved = 0
    for member in pool[:TRANSFERS]:
        asked = demo.moment(rng, demo.day(rng))
        with demo.at(asked):
            transfer = actions.request_transfer(
                id_number=pii.decrypt(member.id_number_enc, context=ID_CONTEXT + member.id_index), name=member.name,
                to_org=receiving, by=town, reason="调入本单位工作")
        decided = min(asked.date() + datetime.timedelta(days=rng.randint(1, 6)), demo.today)
        with demo.at(demo.moment(rng, decided)):
            actions.decide_transfer(transfer, approve=True, by=county, note="同意转入")
        moved += 1
    for status, member in zip(ENDINGS, pool[TRANSFERS:], strict=False):
        day = demo.day(rng)
        with demo.at(demo.moment(rng, day)):
            actions.end_membership(member, status=status, date=day, by=county,
                                   note={"left": "离职", "retired": "办理退休", "deceased": "家属告知"}[status])
    demo.say(f"会员转会 {moved} 人，会籍终止 {min(len(ENDINGS), max(0, len(pool) - TRANSFERS))} 人。")
