"""The demo county's service hall over the year: workers' applications for the items that need no attached
file, each taken through the steps by the cadres of the union that handles it — most completed on time and
rated, some late, some returned for correction (and corrected), rejected or withdrawn, the most recent still
open. The programs add their own items (困难职工帮扶申请, 医疗互助报销) in their demo.py. At the larger
scales the same rows are written in bulk (`bulk.py`)."""

import datetime
import random

from django.contrib.auth import get_user_model

from gonghui.common import pii
from gonghui.members.models import MOBILE_CONTEXT

from . import actions
from .models import Application, ServiceItem

ITEMS = ["transfer", "ecard", "legal_aid", "dispute_mediation", "recuperation", "skills_training",
         "job_registration", "union_founding"]
APPLICATIONS = 48
# How an application goes (its fate, weight): the open ones are filed in the last days of the year.
FATES = [("on_time", 10), ("late", 2), ("corrected", 2), ("returned", 1), ("rejected", 1), ("withdrawn", 1),
         ("accepted", 2), ("submitted", 2)]
OPEN_FATES = {"accepted", "submitted"}
S = Application.Status


def form_values(version, member_name: str, mobile: str, rng: random.Random, today: datetime.date) -> dict:
    """Plausible answers to the version's form (its fields as data)."""
    raw = {}
    for spec in version.fields:
        kind, name = spec.get("type", "text"), spec["name"]
        raw[name] = {"text": f"{spec['label']}（演示）", "textarea": "因工作变动，特此申请，请予办理。",
                     "date": (today - datetime.timedelta(days=rng.randint(5, 60))).isoformat(),
                     "number": str(rng.randint(1, 200)), "money": str(rng.randint(800, 20000)),
                     "choice": rng.choice(spec.get("choices") or [""]), "bool": True, "mobile": mobile,
                     }.get(kind, "")
        if name == "name":
            raw[name] = member_name
    return raw


def handler(cadres, app: Application):
    """The demo cadre of the lowest union that may act at the application's current step."""
    role = app.version.steps[app.step]["role"] if app.step < len(app.version.steps) else None
    return next(c for c in cadres if actions.may_handle(c, app, role))


def load(demo) -> None:
    if demo.bulk:
        from . import bulk

        bulk.load(demo)
        return
    rng = demo.rng("hall")
    cadres = [c for c in (demo.grassroots, demo.town, demo.county, demo.city, demo.province) if c is not None]
    applicants = list(get_user_model().objects.filter(worker__member__org__path__startswith=demo.county.org.path,
                                                      worker__member__status="active")
                      .select_related("worker__member__org").order_by("id"))
    if not applicants:
        return
    items = {i.code: i for i in ServiceItem.objects.filter(code__in=ITEMS).select_related("current")}
    fates = [f for f, w in FATES for _ in range(w)]
    counts: dict[str, int] = {}
    for n in range(APPLICATIONS):
        user = applicants[n % len(applicants)]
        member = user.worker.member
        item = items[ITEMS[n % len(ITEMS)]]
        fate = fates[n % len(fates)]
        first = max(member.join_date, demo.first_day)
        day = demo.day(rng, demo.today - datetime.timedelta(days=4)) if fate in OPEN_FATES \
            else demo.day(rng, first, demo.today - datetime.timedelta(days=40))
        moment = demo.moment(rng, day)
        with demo.at(moment):
            raw = form_values(item.current, member.name, _mobile(member), rng, day)
            app = actions.file_application(item=item, applicant=user, applicant_org=member.org,
                                           applicant_name=member.name, raw=raw)
        app = run_fate(demo, rng, cadres, app, fate, moment)
        counts[app.status] = counts.get(app.status, 0) + 1
    shown = "，".join(f"{S(s).label} {n}" for s, n in sorted(counts.items()))
    demo.say(f"网上办事大厅办件 {APPLICATIONS} 件：{shown}。")


def _mobile(member) -> str:
    """The member's registered mobile (the one their worker account signs in with)."""
    return pii.decrypt(member.mobile_enc, context=MOBILE_CONTEXT + member.id_index) if member.mobile_enc else ""


def run_fate(demo, rng, cadres, app: Application, fate: str, moment: datetime.datetime) -> Application:
    """Take a submitted application through the steps of its fate, each a few working hours or days after the
    one before; a step whose moment has not come yet is not taken (the application stays where it is)."""

    def later(days: tuple[int, int]) -> datetime.datetime | None:
        nonlocal moment
        moment = moment + datetime.timedelta(days=rng.randint(*days), hours=rng.randint(1, 5))
        return moment if demo.is_past(moment) else None

    def act(action: str, by=None, note: str = "", days=(0, 2)) -> bool:
        nonlocal app
        if later(days) is None:
            return False
        with demo.at(moment):
            app = actions.transition(app, action, by=by or handler(cadres, app), note=note)
        return True

    applicant = app.applicant
    if fate == "withdrawn":
        act("withdraw", by=applicant, days=(0, 1))
        return app
    if fate == "rejected":
        act("reject", note="不属于本事项受理范围，请向用人单位咨询。", days=(0, 2))
        return app
    if fate in ("returned", "corrected"):
        if not act("return", note="请补充填写联系方式和情况说明。", days=(0, 2)) or fate == "returned":
            return app
        if not act("resubmit", by=applicant, days=(1, 3)):
            return app
    if fate == "submitted" or not act("accept", days=(0, 1)):
        return app
    if fate == "accepted":
        return app
    while app.status in (S.ACCEPTED, S.IN_PROGRESS):
        if fate == "late" and app.due_date:
            late = (app.due_date - moment.date()).days + rng.randint(1, 6)
            if not act("approve", days=(max(0, late), max(0, late))):
                return app
            fate = "on_time"  # later steps at the usual pace
        elif not act("approve", days=(0, 3)):
            return app
    if app.status == S.COMPLETED and rng.random() < 0.7 and later((0, 3)) is not None:
        with demo.at(moment):
            app = actions.rate(app, by=applicant, rating=rng.choices([5, 4, 3, 2], [70, 20, 7, 3])[0],
                               comment=rng.choice(["办理及时", "服务很好", "", "流程清楚"]))
    return app
