"""The service hall's year at a province's size (≈ 43 000 applications, as the province's report counts them),
written in bulk: each application and its events exactly as `actions.file_application` and
`actions.transition` leave them — routed by `route`'s rule, the form data checked and sealed by `check_data`,
deadlines from the working-day calendar, a correction's wait added to the deadline — without the notifications
and audit entries (the demo load has one). The applicants are the workers with a bound account; the handling is
recorded in the name of the province's demo cadre, who may act on every union's applications."""

import datetime
import random

from django.contrib.auth import get_user_model

from gonghui.accounts.models import User
from gonghui.common import pii
from gonghui.members.models import MOBILE_CONTEXT
from gonghui.orgs.models import STEP, Org

from . import actions, workdays
from .demo import form_values
from .models import Application, ApplicationEvent, ServiceItem

S = Application.Status
PROVINCE_APPLICATIONS = 43_025
BATCH = 5000
# fate → weight (‱): most completed on time; the open ones are filed in the last days.
FATES = {"on_time": 8800, "late": 500, "corrected": 200, "returned": 80, "rejected": 150, "withdrawn": 70,
         "accepted": 100, "submitted": 100}
OPEN_FATES = {"accepted", "submitted"}
RATED = 0.6


def bulk_items() -> list[ServiceItem]:
    """The items whose applications need nothing beyond the hall: open, filed in the hall, without an effect
    (the programs' own) and without a required file (none is stored in bulk)."""
    return [i for i in ServiceItem.objects.filter(active=True).select_related("current").order_by("order", "code")
            if i.current and not i.current.entry_url and not i.current.effect
            and {"worker", "member"} & set(i.current.applicants)
            and not any(a.get("required") for a in i.current.attachments)]


class Router:
    """`actions.route` over the whole tree held in memory (one query instead of one per application)."""

    def __init__(self):
        self.by_path = {path: (pk, level, status) for pk, path, level, status in
                        Org.objects.values_list("id", "path", "level", "status")}
        self.path_of = {pk: path for path, (pk, _, _) in self.by_path.items()}

    def route(self, org_id: int, level: str) -> int:
        if level == "own":
            return org_id
        target = actions.LEVEL_RANK[level]
        path = self.path_of[org_id]
        chain = [self.by_path[path[:cut]] for cut in range(len(path), 0, -STEP)]
        for pk, org_level, status in chain:
            if actions.LEVEL_RANK[org_level] >= target and status == Org.Status.ACTIVE:
                return pk
        return chain[-1][0]


def load(demo) -> None:
    rng = demo.rng("hall")
    workers = list(get_user_model().objects.filter(worker__member__status="active")
                   .values_list("id", "worker__member__org_id", "worker__member__name", "worker__member__mobile_enc",
                                "worker__member__id_index").order_by("id"))
    items = bulk_items()
    if not workers or not items:
        return
    handler = User.objects.get(username="sheng")
    router = Router()
    total = round(PROVINCE_APPLICATIONS * demo.share)
    fates = rng.choices(list(FATES), weights=list(FATES.values()), k=total)
    deadlines: dict[tuple[datetime.date, int], workdays.Deadline] = {}

    def due(day: datetime.date, n: int) -> workdays.Deadline:
        if (day, n) not in deadlines:
            deadlines[(day, n)] = workdays.add_workdays(day, n)
        return deadlines[(day, n)]

    written = 0
    with demo.stamped(Application, ApplicationEvent):
        for first in range(0, total, BATCH):
            apps, histories = [], []
            for fate in fates[first:first + BATCH]:
                user_id, org_id, name, sealed, index = rng.choice(workers)
                mobile = pii.decrypt(sealed, context=MOBILE_CONTEXT + index) if sealed else ""
                item = rng.choice(items)
                app, history = _one(demo, rng, item.current, fate, user_id, org_id, name, mobile, router, due,
                                    handler.pk)
                apps.append(app)
                histories.append(history)
            Application.objects.bulk_create(apps, batch_size=2000)
            ApplicationEvent.objects.bulk_create(
                [ApplicationEvent(application=app, **event) for app, history in zip(apps, histories, strict=True)
                 for event in history], batch_size=5000)
            written += len(apps)
            demo.say(f"网上办事大厅：已写入 {written} / {total} 件。")


def _one(demo, rng: random.Random, version, fate: str, user_id: int, org_id: int, name: str, mobile: str, router,
         due, handler_id: int):
    """One application of `fate` and its events (kwargs of ApplicationEvent), as the transitions write them."""
    day = demo.day(rng, demo.today - datetime.timedelta(days=4)) if fate in OPEN_FATES \
        else demo.day(rng, end=demo.today - datetime.timedelta(days=30))
    if day.weekday() >= 5 and rng.random() < 0.6:  # fewer on weekends
        day -= datetime.timedelta(days=day.weekday() - 4)
    moment = demo.moment(rng, day)
    steps = version.steps
    handling = router.route(org_id, steps[0].get("level") or version.level)
    raw = form_values(version, name, mobile, rng, day)
    app = Application(version=version, applicant_id=user_id, applicant_name=name, applicant_org_id=org_id,
                      handling_org_id=handling, data=actions.check_data(version, raw), created_at=moment,
                      submitted_at=moment, status=S.SUBMITTED, step=0)
    deadline = due(day, version.time_limit_days)
    app.due_date, app.due_uncovered = deadline.date, deadline.uncovered
    history = [dict(action="create", from_status="", to_status=S.DRAFT, step=0, org_id=handling, by_id=user_id,
                    at=moment),
               dict(action="submit", from_status=S.DRAFT, to_status=S.SUBMITTED, step=0, org_id=handling,
                    by_id=user_id, at=moment)]
    now = moment

    def event(action: str, to: str, by: int, note: str = "", days=(0, 2)) -> bool:
        nonlocal now
        later = now + datetime.timedelta(days=rng.randint(*days), hours=rng.randint(1, 5))
        if not demo.is_past(later):
            return False
        now = later
        history.append(dict(action=action, from_status=app.status, to_status=to, step=app.step,
                            org_id=app.handling_org_id, by_id=by, at=now, note=note))
        app.status = to
        return True

    if fate == "withdrawn":
        event("withdraw", S.WITHDRAWN, user_id, days=(0, 1))
    elif fate == "rejected":
        if event("reject", S.REJECTED, handler_id, note="不属于本事项受理范围，请向用人单位咨询。"):
            app.completed_at = now
    elif fate in ("returned", "corrected"):
        if event("return", S.RETURNED, handler_id, note="请补充填写情况说明。"):
            app.suspended_on = now.date()
            if fate == "corrected" and event("resubmit", S.SUBMITTED, user_id, note="", days=(1, 3)):
                waited = workdays.workdays_between(app.suspended_on, now.date())
                later = due(app.due_date, waited)
                app.due_date, app.due_uncovered = later.date, app.due_uncovered or later.uncovered
                app.suspended_on = None
                fate = "on_time"
    if fate in ("on_time", "late", "accepted") and app.status == S.SUBMITTED and event(
            "accept", S.ACCEPTED, handler_id, days=(0, 1)):
        app.accepted_at, app.step = now, 1
        history[-1]["step"] = 1
    while fate in ("on_time", "late") and app.status in (S.ACCEPTED, S.IN_PROGRESS):
        if fate == "late":
            wait = (app.due_date - now.date()).days + rng.randint(1, 8)
        else:
            wait = rng.randint(0, max(0, min(3, (app.due_date - now.date()).days - 1)))
        if not event("approve", S.IN_PROGRESS, handler_id, days=(max(0, wait), max(0, wait))):
            break
        app.step += 1
        history[-1]["step"] = app.step
        if app.step >= len(steps):
            app.status, app.completed_at = S.COMPLETED, now
            history[-1]["to_status"] = S.COMPLETED
        elif steps[app.step].get("level"):
            app.handling_org_id = router.route(org_id, steps[app.step]["level"])
    if app.status == S.COMPLETED and rng.random() < RATED:
        app.rating = rng.choices([5, 4, 3, 2, 1], [72, 19, 6, 2, 1])[0]
        app.rating_comment = rng.choice(["办理及时", "服务很好", "", "", "流程清楚"])
    open_ = app.status in (S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS) and app.step < len(steps)
    app.step_role = steps[app.step]["role"] if open_ else ""
    return app, history
