"""Writes of the service hall: filing an application, and `transition`, the one function that changes an
application's state. Every change is audited with before and after; the applicant is notified."""

import datetime
import decimal

from django.db import transaction
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.common import audit, dates, idcard, mobile, money, pii, states
from gonghui.common.actors import is_system, system_actor
from gonghui.common.errors import DomainError
from gonghui.notifications.actions import notify
from gonghui.orgs.models import Org
from gonghui.orgs.queries import in_scope, keeps_province_config

from . import attachments, effects, queries, workdays
from .models import Application, ApplicationEvent, ItemVersion, Level, ServiceItem

S = Application.Status
# Ranks of the tree's levels, low to high: routing walks up to the first union at or above the item's level.
LEVEL_RANK = {Org.Level.GRASSROOTS: 0, Org.Level.TOWN: 1, Org.Level.COUNTY: 2, Org.Level.CITY: 3,
              Org.Level.PROVINCE: 4, Org.Level.NATIONAL: 5}
HANDLING_ROLES = ("operator", "approver", "org_admin")
DATA_CONTEXT = "hall.Application.data:"

# action → (the states it may leave, what it does). The docstring of `transition` says the rest.
ALLOWED: dict[str, frozenset[str]] = {
    "submit": frozenset({S.DRAFT}),
    "accept": frozenset({S.SUBMITTED}),
    "reject": frozenset({S.SUBMITTED}),
    "approve": frozenset({S.ACCEPTED, S.IN_PROGRESS}),
    "return": frozenset({S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS}),
    "resubmit": frozenset({S.RETURNED}),
    "withdraw": frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED}),
    "transfer": frozenset({S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS}),
    "escalate": frozenset({S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS}),
}
APPLICANT_ACTIONS = frozenset({"submit", "resubmit", "withdraw"})
ACTION_LABELS = {"submit": "提交", "accept": "受理", "reject": "不予受理", "approve": "审批通过", "return": "退回补正",
                 "resubmit": "补正后重新提交", "withdraw": "撤回", "transfer": "转办", "escalate": "上报"}
MACHINE = states.Machine(Application, allowed=ALLOWED, verbs=ACTION_LABELS, noun="该办件")


def route(applicant_org: Org, level: str) -> Org:
    """The union that handles an application: the applicant's own, or the first union at or above it of the
    item's level; when the chain lacks that level (no town union, say), the nearest one above."""
    if level == Level.OWN:
        return applicant_org
    target = LEVEL_RANK[level]
    chain = [applicant_org, *reversed(list(applicant_org.ancestors()))]
    for org in chain:
        if LEVEL_RANK[org.level] >= target and org.status == Org.Status.ACTIVE:
            return org
    return chain[-1]


# Filing ------------------------------------------------------------------------------------------

def check_data(version: ItemVersion, raw: dict) -> dict:
    """The form values of `version` cleaned (text trimmed, dates ISO, numbers and money as strings), or
    a DomainError naming the first field wrong."""
    data = {}
    for spec in version.fields:
        name, label, kind = spec["name"], spec["label"], spec.get("type", "text")
        value = raw.get(name)
        empty = value is None or (isinstance(value, str) and not value.strip())
        if empty:
            if spec.get("required"):
                raise DomainError(f"请填写“{label}”。", field=name)
            data[name] = "" if kind != "bool" else False
            continue
        if kind in ("text", "textarea"):
            value = str(value).strip()
            if len(value) > spec.get("max_length", 500):
                raise DomainError(f"“{label}”不能超过{spec.get('max_length', 500)}个字。", field=name)
        elif kind == "date":
            value = dates.parse_date(value, field_label=f"“{label}”", field=name).isoformat()
        elif kind == "money":
            value = str(money.parse_yuan(value, label=label, field=name))
        elif kind == "number":
            try:
                number = decimal.Decimal(str(value).replace(",", "").strip())
            except decimal.InvalidOperation:
                raise DomainError(f"“{label}”应为数字。", field=name) from None
            if not number.is_finite() or number < 0:
                raise DomainError(f"“{label}”应为不小于0的数字。", field=name)
            value = str(number)
        elif kind == "choice":
            if str(value) not in spec.get("choices", []):
                raise DomainError(f"“{label}”请从列表中选择。", field=name)
            value = str(value)
        elif kind == "bool":
            value = value in (True, "1", "true", "on", "是")
        elif kind in ("id_number", "mobile"):
            value = _sealed(name, kind, value)
        data[name] = value
    return data


def _sealed(name: str, kind: str, raw) -> dict:
    """An ID or mobile number in the form data as the member record keeps one: never in clear."""
    number = idcard.parse(raw, field=name).number if kind == "id_number" else mobile.normalize(raw, field=name)
    index = pii.blind_index(number, purpose=kind)
    masked = pii.mask_id(number) if kind == "id_number" else pii.mask_mobile(number)
    return {"masked": masked, "index": index, "enc": pii.encrypt(number, context=f"{DATA_CONTEXT}{name}:{index}")}


def file_application(*, item: ServiceItem, applicant, applicant_org: Org, applicant_name: str, raw: dict,
                     on_behalf_by=None, uploads: dict | None = None, submit: bool = True) -> Application:
    """File an application under the item's current version, routed to the union that must handle it, with
    its files (`uploads`: attachment slot → uploaded file), and (by default) submit it — all or nothing, the
    stored files included. `on_behalf_by`: the cadre applying for someone (为他人申请), recorded as such."""
    version = item.current
    if version is None or not item.active:
        raise DomainError("该事项暂未开放申请。")
    if version.entry_url:
        raise DomainError(f"该事项不在办事大厅受理，请从办理入口（{version.entry_url}）办理。")
    if on_behalf_by is not None and not (on_behalf_by.org_id and applicant_org.is_within(on_behalf_by.org)):
        raise DomainError("只能为本级或下级工会的职工代为申请。")
    # Who may apply (ItemVersion.applicants): a cadre account files for its union, anyone else for themselves.
    if applicant.org_id and "union" not in version.applicants:
        raise DomainError("该事项由职工本人申请；代为申请请填写会员证号。")
    if not applicant.org_id and not {"worker", "member"} & set(version.applicants):
        raise DomainError("该事项由工会组织申请，职工个人不能申请。")
    data = check_data(version, raw)
    by = on_behalf_by or applicant
    with attachments.atomic_uploads():
        application = Application.objects.create(
            version=version, applicant=applicant, applicant_name=applicant_name,
            applicant_org=applicant_org, on_behalf_by=on_behalf_by, data=data,
            handling_org=route(applicant_org, version.steps[0].get("level") or version.level))
        ApplicationEvent.objects.create(application=application, action="create", to_status=S.DRAFT,
                                        org=application.handling_org, by=by,
                                        note="工会干部代为申请" if on_behalf_by else "")
        audit.record("hall_file", actor=by, obj=application,
                     changes={"item": item.code, "version": version.number,
                              "handling_org": str(application.handling_org), "on_behalf": bool(on_behalf_by)})
        for slot, upload in (uploads or {}).items():
            attachments.add_attachment(application=application, slot=slot, upload=upload, by=by)
        if submit:
            application = transition(application, "submit", by=by)
    return application


# The state machine -------------------------------------------------------------------------------

def may_handle(user, application: Application, role: str | None) -> bool:
    """`user` holds `role` (any handling role when None) in the handling union or a union above it."""
    if not in_scope(user, application.handling_org):
        return False
    return user.has_role(role) if role else user.has_role(*HANDLING_ROLES)


def transition(application: Application, action: str, *, by, note: str = "", to_org: Org | None = None
               ) -> Application:
    """The one way an application changes state (`by`: who acts, never None). Under a row lock, so that of
    two cadres acting at once one wins and the other gets a clear message. Each transition writes an
    ApplicationEvent, an audit entry with before and after, and a notification to the applicant.

    - submit (草稿 → 已提交), by the applicant (or the cadre who filed for them): the clock starts, the
      deadline is `time_limit_days` working days later (flagged when a year's holidays are unknown).
    - accept (已提交 → 已受理), by the first step's role: the application moves to step 1; with a single
      step it is completed at once.
    - reject (已提交 → 不予受理), by the first step's role, with a reason.
    - approve (已受理/办理中 → 办理中, or 已办结 at the last step), by the current step's role; completion
      runs the version's effect hook as the approving cadre (e.g. 困难职工帮扶申请 opens a hardship file).
    - return (→ 已退回补正), by the current step's role, with what to correct: the clock stops.
    - resubmit (已退回补正 → the state it was returned from), by the applicant: the deadline moves back by
      the working days it waited.
    - withdraw (草稿/已提交/已退回补正 → 已撤回), by the applicant.
    - transfer (转办) to another union in the actor's subtree; escalate (上报) to the handling union's parent.
      The state stays; the new union handles it from the current step.
    Nobody acts as handler on their own application (self-approval), nor on one they filed for someone; the
    handler's role is not asked of the system actor. The lock, the check against ALLOWED, the move and the
    audit are `common.states` (MACHINE), shared with the other machines."""
    with transaction.atomic():
        app = MACHINE.lock(application, action, by=by, related=("version", "handling_org", "applicant_org"))
        steps = app.version.steps
        before = {"step": app.step, "handling_org": str(app.handling_org),
                  "due_date": str(app.due_date) if app.due_date else None}
        if action in APPLICANT_ACTIONS:
            if not app.is_applicant(by):
                raise DomainError("只有申请人（或代为申请的工会干部）可以进行此操作。")
        elif not is_system(by):
            if app.is_applicant(by):
                raise DomainError("不能办理自己提交（或代为提交）的申请。")
            role = None if action in ("transfer", "escalate") else steps[app.step]["role"]
            if not may_handle(by, app, role):
                raise DomainError("您没有办理该环节的权限（须为办理工会或其上级工会的相应角色）。")
        if action in ("reject", "return") and not note.strip():
            raise DomainError("请填写原因，申请人将看到这段说明。", field="note")
        today = timezone.localdate()
        previous, acting_org, to = app.status, app.handling_org, app.status
        if action in ("submit", "resubmit") and (missing := attachments.missing_attachments(app)):
            raise DomainError(f"请上传：{'、'.join(missing)}。", field="attachments")
        if action == "submit":
            to, app.submitted_at = S.SUBMITTED, timezone.now()
            deadline = workdays.add_workdays(today, app.version.time_limit_days)
            app.due_date, app.due_uncovered = deadline.date, deadline.uncovered
        elif action == "accept":
            app.accepted_at, app.step = timezone.now(), 1
            to = S.ACCEPTED
        elif action == "reject":
            to, app.completed_at = S.REJECTED, timezone.now()
        elif action == "approve":
            app.step += 1
            to = S.IN_PROGRESS
        elif action == "return":
            to, app.suspended_on = S.RETURNED, today
        elif action == "resubmit":
            returned = app.events.filter(action="return").order_by("-at", "-id").first()
            to = returned.from_status if returned else S.SUBMITTED
            if app.suspended_on and app.due_date:
                waited = workdays.workdays_between(app.suspended_on, today)
                deadline = workdays.add_workdays(app.due_date, waited)
                app.due_date, app.due_uncovered = deadline.date, app.due_uncovered or deadline.uncovered
            app.suspended_on = None
        elif action == "withdraw":
            to = S.WITHDRAWN
        elif action == "transfer":
            if to_org is None or to_org.status != Org.Status.ACTIVE or not (
                    is_system(by) or to_org.is_within(by.org)):
                raise DomainError("只能转办给本级或下级的在册工会。", field="to_org")
            if to_org.pk == app.handling_org_id:
                raise DomainError("已由该工会办理，无需转办。", field="to_org")
            app.handling_org = to_org
        elif action == "escalate":
            parent = app.handling_org.parent
            if parent is None:
                raise DomainError("已是最高一级工会，不能再上报。")
            app.handling_org = parent
        if action in ("accept", "approve"):
            if app.step >= len(steps):
                to, app.completed_at = S.COMPLETED, timezone.now()
            elif steps[app.step].get("level"):  # e.g. accepted by the grassroots union, approved by the county
                app.handling_org = route(app.applicant_org, steps[app.step]["level"])
        open_ = to in (S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS) and app.step < len(steps)
        app.step_role = steps[app.step]["role"] if open_ else ""
        if action in ("transfer", "escalate"):
            note = f"{ACTION_LABELS[action]}至{app.handling_org.name}" + (f"：{note.strip()}" if note.strip() else "")
        after = {"step": app.step, "handling_org": str(app.handling_org),
                 "due_date": str(app.due_date) if app.due_date else None}
        MACHINE.move(app, to=to, by=by, audit_as=f"hall_{action}", changes=audit.diff(before, after) | (
            {"note": note.strip()[:300]} if note.strip() else {}))
        # The union that acted (an approval that hands the file to the county is still the grassroots union's).
        ApplicationEvent.objects.create(application=app, action=action, from_status=previous, to_status=app.status,
                                        step=app.step, org=acting_org, by=by, note=note.strip()[:300])
        if app.status == S.COMPLETED and app.version.effect:
            effects.run(app.version.effect, app, by=by)
        if action not in APPLICANT_ACTIONS:
            _notify_applicant(app, action, note)
    return app


def _notify_applicant(app: Application, action: str, note: str) -> None:
    what = "已办结" if app.status == S.COMPLETED else {
        "accept": "已受理", "reject": "不予受理", "approve": "已进入下一环节", "return": "需要补正",
        "transfer": f"已转由{app.handling_org.name}办理", "escalate": f"已上报{app.handling_org.name}办理"}[action]
    reason = f"：{note.strip()[:100]}" if note.strip() else "。"
    notify(app.applicant, text=f"您的{_application_of(app.version.item.name)}（{app.number}）{what}{reason}",
           link=f"/w/hall/{app.pk}/")


def _application_of(item_name: str) -> str:
    """The item as an application: “医疗互助报销”申请, but “困难职工帮扶申请” as it is (never 申请申请)."""
    return f"“{item_name}”" if item_name.endswith("申请") else f"“{item_name}”申请"


def rate(application: Application, *, by, rating: int, comment: str = "") -> Application:
    """The applicant's satisfaction (满意度, 1–5) after completion, once."""
    if rating not in range(1, 6):
        raise DomainError("请选择1到5星的评价。", field="rating")
    with transaction.atomic():
        app = Application.objects.select_for_update().get(pk=application.pk)
        if app.applicant_id != getattr(by, "pk", None):
            raise DomainError("只有申请人可以评价。")
        if app.status != S.COMPLETED:
            raise DomainError("办结后才能评价。")
        if app.rating is not None:
            raise DomainError("您已评价过该办件。")
        app.rating, app.rating_comment = rating, comment.strip()[:200]
        app.save(update_fields=["rating", "rating_comment"])
        audit.record("hall_rate", actor=by, obj=app, changes={"rating": rating})
    return app


# The catalogue and the calendar (back office) --------------------------------------------------------

FIELD_TYPES = frozenset({"text", "textarea", "date", "number", "money", "choice", "bool", "id_number", "mobile"})
FILE_TYPES = frozenset({"pdf", "jpg", "png"})
APPLICANT_KINDS = frozenset({"worker", "member", "union"})


def can_manage_catalogue(user) -> bool:
    """The catalogue and the holiday table are province-wide."""
    return keeps_province_config(user)


def check_version_spec(spec: dict) -> None:
    """An item version's definition, or a DomainError saying what is wrong (for the back-office form)."""
    steps = spec.get("steps") or []
    if not steps or not all(isinstance(s, dict) and s.get("name") and s.get("role") in HANDLING_ROLES for s in steps):
        raise DomainError("办理环节至少一个，每个环节须有名称和角色（operator 经办人、approver 审核人、"
                          "org_admin 单位管理员）。", field="steps")
    if any(s.get("level") and s["level"] not in Level.values for s in steps):
        raise DomainError("环节的办理层级只能是 own、town、county、city、province。", field="steps")
    names = [f.get("name") for f in spec.get("fields") or []]
    if len(names) != len(set(names)) or not all(names):
        raise DomainError("表单字段须有各不相同的名称（name）。", field="fields")
    for f in spec.get("fields") or []:
        if f.get("type", "text") not in FIELD_TYPES or not f.get("label"):
            raise DomainError(f"字段“{f.get('name')}”的类型须为 {'、'.join(sorted(FIELD_TYPES))} 之一，且须有标签。",
                              field="fields")
        if f.get("type") == "choice" and not f.get("choices"):
            raise DomainError(f"选择字段“{f.get('name')}”须列出可选项（choices）。", field="fields")
    for a in spec.get("attachments") or []:
        if not a.get("name") or not a.get("label") or not set(a.get("types") or []) <= FILE_TYPES or not a.get("types"):
            raise DomainError(f"材料项须有名称、标签，文件类型只能是 {'、'.join(sorted(FILE_TYPES))}。",
                              field="attachments")
    if not set(spec.get("applicants") or []) <= APPLICANT_KINDS or not spec.get("applicants"):
        raise DomainError("申请人范围只能是 worker、member、union 中的一个或几个。", field="applicants")
    if spec.get("level") not in Level.values:
        raise DomainError("办理层级无效。", field="level")
    if not isinstance(spec.get("time_limit_days"), int) or not 1 <= spec["time_limit_days"] <= 365:
        raise DomainError("办理时限应为1到365个工作日。", field="time_limit_days")
    if spec.get("effect") and spec["effect"] not in effects.EFFECTS:
        raise DomainError("办结效果未注册。", field="effect")
    entry = spec.get("entry_url") or ""
    if entry and not (entry.startswith("/") and not entry.startswith("//") and " " not in entry):
        raise DomainError("办理入口须为本平台的页面地址，以“/”开头，如 /w/join/。", field="entry_url")


def save_item(*, item: ServiceItem | None, code: str, name: str, active: bool, spec: dict, by,
              order: int | None = None) -> ServiceItem:
    """Create an item, or change one: the change is a new version that new applications use; applications
    already filed keep theirs. Audited with the version numbers."""
    if not can_manage_catalogue(by):
        raise DomainError("只有省级工会的单位管理员可以维护办事项。")
    check_version_spec(spec)
    keys = ("guide", "applicants", "fields", "attachments", "level", "steps", "time_limit_days", "effect", "entry_url")
    spec = {"entry_url": ""} | spec
    with transaction.atomic():
        if item is None:
            if ServiceItem.objects.filter(code=code).exists():
                raise DomainError("事项编码已存在。", field="code")
            item = ServiceItem.objects.create(code=code, name=name, active=active)
        else:
            item = ServiceItem.objects.select_for_update().get(pk=item.pk)
            item.name, item.active = name, active
        if order is not None:
            item.order = order
        current = item.current
        if current is None or any(getattr(current, k) != spec.get(k) for k in keys):
            number = (item.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
            item.current = ItemVersion.objects.create(item=item, number=number, created_by=by,
                                                      **{k: spec.get(k) for k in keys})
        item.save()
        audit.record("hall_item", actor=by, obj=item, changes={
            "version": [current.number if current else None, item.current.number], "active": active})
    return item


def set_holiday(*, day: datetime.date, kind: str, name: str, by):
    """Enter or change a day of the holiday table (for a year the calendar package does not cover yet)."""
    from .models import HolidayDay

    if not can_manage_catalogue(by):
        raise DomainError("只有省级工会的单位管理员可以维护节假日。")
    if kind not in HolidayDay.Kind.values:
        raise DomainError("类型应为“放假”或“调休上班”。", field="kind")
    with transaction.atomic():
        holiday, created = HolidayDay.objects.update_or_create(date=day, defaults={"kind": kind, "name": name})
        audit.record("hall_holiday", actor=by, obj=holiday, changes={"date": str(day), "kind": kind, "name": name})
    return holiday


def remind_due(today: datetime.date | None = None) -> dict:
    """Once a day per application: each open application overdue or due soon (queries.with_due_flag) notifies
    the cadres of its handling union who hold the current step's role. Returns the counts (and audits them)."""
    today = today or timezone.localdate()
    counts = {"overdue": 0, "due_soon": 0, "notified": 0}
    pending = Application.objects.filter(due_date__isnull=False).exclude(reminded_on=today)
    handlers: dict[tuple[int, str], list] = {}  # (handling union, role) → its active cadres, looked up once
    with transaction.atomic():
        for flag, what in (("overdue", "已逾期"), ("due_soon", "即将到期")):
            apps = list(queries.with_due_flag(pending, flag, today).select_related("version__item"))
            for app in apps:
                key = (app.handling_org_id, app.step_role)
                if key not in handlers:
                    handlers[key] = list(User.objects.filter(org_id=key[0], is_active=True, role_grants__role=key[1]))
                text = (f"办件 {app.number}（{app.version.item.name}，{app.applicant_name}）{what}，"
                        f"期限 {app.due_date:%Y-%m-%d}。")
                link = f"/admin/hall/application/{app.pk}/change/"
                notify(handlers[key], text=text, link=link)
                counts["notified"] += len(handlers[key])
            Application.objects.filter(pk__in=[a.pk for a in apps]).update(reminded_on=today)
            counts[flag] = len(apps)
        audit.record("hall_remind", actor=system_actor(), changes=counts | {"date": str(today)})
    return counts
