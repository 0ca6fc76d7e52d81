"""Issue 5: the service hall's engine — routing, filing, the transition function (every transition allowed
and refused, self-approval, transfer and escalation, the concurrent race), the clock with suspension,
effects, the catalogue and the hall.* figures. Each test names the part of the issue it covers."""

import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from gonghui.common.actors import system_actor
from gonghui.common.errors import DomainError
from gonghui.common.models import AuditEntry
from gonghui.conftest import build_tree, make_cadre
from gonghui.hall import actions, catalogue, effects, workdays
from gonghui.hall.models import Application, ItemVersion, ServiceItem
from gonghui.members.tests.test_actions import POSTGRES_ONLY, run_in_threads
from gonghui.notifications.models import Notification
from gonghui.orgs.actions import create_org
from gonghui.orgs.models import Org

pytestmark = pytest.mark.django_db
S = Application.Status
HARDSHIP = {"name": "李四", "category": "因病致困", "household_size": "3", "monthly_income": "2400.5",
            "reason": "爱人住院，家庭收入下降。"}


def item(code: str) -> ServiceItem:
    return ServiceItem.objects.select_related("current").get(code=code)


@pytest.fixture
def applicant(django_user_model):
    return django_user_model.objects.create(username="w_applicant")


def required_files(code: str) -> dict:
    """A PDF for each required material of the item (a submission without them is refused)."""
    return {spec["name"]: SimpleUploadedFile(f"{spec['name']}.pdf", b"%PDF-1.4\n%%EOF\n")
            for spec in item(code).current.attachments if spec.get("required")}


def file(tree, applicant, code="hardship_aid", org="G1111", raw=None, **kwargs) -> Application:
    return actions.file_application(item=item(code), applicant=applicant, applicant_org=tree[org],
                                    applicant_name="李四", raw=raw or HARDSHIP, uploads=required_files(code), **kwargs)


# Part 3: routing ---------------------------------------------------------------------------------

def test_route_walks_up_to_the_item_level_or_the_nearest_above(tree):
    """Part 3: own, town, county, city, province; a chain without a town union goes to the county."""
    g = tree["G1111"]
    assert [actions.route(g, level).code for level in ("own", "town", "county", "city", "province")] == [
        "G1111", "T111", "K11", "C1", "P"]
    direct = create_org(by=system_actor(), parent=tree["K12"], code="G1299", name="庐阳区直属企业工会",
                        kind=Org.Kind.GRASSROOTS, region_code="340103", founded_on=datetime.date(2020, 1, 1))
    assert actions.route(direct, "town") == tree["K12"]


def test_file_routes_by_the_item_level_and_starts_the_clock(tree, applicant):
    """Parts 1 and 4: legal aid is a county item; submission sets the working-day deadline."""
    app = file(tree, applicant, "legal_aid", raw={"name": "李四", "mobile": "13812345678", "dispute": "工伤",
                                                  "reason": "工伤认定后单位拒绝支付待遇。"})
    assert app.handling_org == tree["K11"] and app.status == S.SUBMITTED and app.number.endswith(f"{app.pk:08d}")
    assert app.due_date == workdays.add_workdays(timezone.localdate(), 10).date
    assert app.data["mobile"]["masked"] == "138****5678" and "13812345678" not in json.dumps(app.data)
    assert AuditEntry.objects.filter(action="hall_submit", object_id=str(app.pk)).exists()


def test_form_data_checked_by_the_item_fields(tree, applicant):
    """Part 1: required fields, choices, money with two places, numbers."""
    cases = [({"category": ""}, "困难类型"), ({"category": "别的"}, "请从列表中选择"),
             ({"monthly_income": "12.345"}, "金额"), ({"household_size": "三口"}, "数字")]
    for change, message in cases:
        with pytest.raises(DomainError, match=message):
            file(tree, applicant, raw=HARDSHIP | change)
    assert not Application.objects.exists()


# Part 3: the transitions --------------------------------------------------------------------------

def test_three_steps_grassroots_accepts_and_reviews_the_county_approves(tree, applicant,
                                                                       django_capture_on_commit_callbacks):
    """Part 3: 困难职工帮扶申请 — accepted and reviewed by the grassroots union, approved by the county;
    the applicant is notified at each step. (Its completion effect, a hardship file for a member applicant,
    is tested in gonghui/hardship; this applicant is no member, so nothing is opened.)"""
    app = file(tree, applicant)
    operator, approver = make_cadre(tree["G1111"], "operator"), make_cadre(tree["G1111"], "approver")
    county = make_cadre(tree["K11"], "approver")
    with pytest.raises(DomainError, match="没有办理该环节的权限"):
        actions.transition(app, "accept", by=approver)  # the 受理 step is the operator's
    with django_capture_on_commit_callbacks(execute=True):
        app = actions.transition(app, "accept", by=operator)
        assert (app.status, app.step, app.step_name, app.handling_org) == (S.ACCEPTED, 1, "审核", tree["G1111"])
        app = actions.transition(app, "approve", by=approver, note="情况属实")
        assert (app.status, app.step, app.step_name, app.handling_org) == (S.IN_PROGRESS, 2, "审批", tree["K11"])
        with pytest.raises(DomainError, match="没有办理该环节的权限"):
            actions.transition(app, "approve", by=approver)  # the grassroots approver is below the county
        app = actions.transition(app, "approve", by=county)
    assert app.status == S.COMPLETED and app.completed_at is not None
    texts = list(Notification.objects.filter(user=applicant).order_by("id").values_list("text", flat=True))
    assert [t.split("）")[1] for t in texts] == ["已受理。", "已进入下一环节：情况属实", "已办结。"]
    assert app.version.effect == "hardship_open" and "建立困难职工档案" in app.version.guide


@pytest.mark.parametrize("state", [s for s in S.values])
@pytest.mark.parametrize("action", list(actions.ALLOWED))
def test_every_transition_allowed_or_refused(tree, applicant, state, action):
    """Part 3: the allowed map, for every (state, action): refused ones raise and change nothing."""
    app = file(tree, applicant, submit=False)
    Application.objects.filter(pk=app.pk).update(status=state, step=1 if state in (S.ACCEPTED, S.IN_PROGRESS) else 0)
    cadre = make_cadre(tree["T111"], "operator", "approver")
    by = applicant if action in actions.APPLICANT_ACTIONS else cadre
    kwargs = {"note": "原因"} | ({"to_org": tree["G1112"]} if action == "transfer" else {})
    if state in actions.ALLOWED[action]:
        moved = actions.transition(app, action, by=by, **kwargs)
        assert moved.events.filter(action=action).count() == 1
    else:
        with pytest.raises(DomainError, match="不能"):
            actions.transition(app, action, by=by, **kwargs)
        assert Application.objects.get(pk=app.pk).status == state


def test_nobody_handles_their_own_or_one_they_filed_for_someone(tree, django_user_model):
    """Part 3: self-approval refused; a cadre applying on behalf is recorded as such and cannot handle it."""
    county = make_cadre(tree["K11"], "operator", "approver", username="k11_own")
    own = file(tree, county, "fund_refund", org="K11", raw={"period": "2026年上半年", "amount": "1000"})
    with pytest.raises(DomainError, match="不能办理自己"):  # the union's own application (经费返还)
        actions.transition(own, "accept", by=county)
    cadre = make_cadre(tree["G1111"], "operator", "approver")
    worker = django_user_model.objects.create(username="w_other")
    for_someone = file(tree, worker, on_behalf_by=cadre)
    assert for_someone.on_behalf_by == cadre and for_someone.events.first().note == "工会干部代为申请"
    with pytest.raises(DomainError, match="不能办理自己"):
        actions.transition(for_someone, "accept", by=cadre)
    with pytest.raises(DomainError, match="只能为本级或下级"):
        file(tree, worker, org="G2111", on_behalf_by=cadre)


def test_transfer_within_subtree_and_escalate_to_parent(tree, applicant):
    """Part 3: 转办 to a union in the actor's subtree (not outside); 上报 to the parent."""
    app = file(tree, applicant, "dispute_mediation", raw={"name": "李四", "mobile": "13812345678",
                                                          "employer": "某物流公司", "reason": "拖欠工资"})
    town = make_cadre(tree["T111"], "operator")
    assert app.handling_org == tree["T111"]
    with pytest.raises(DomainError, match="只能转办给本级或下级"):
        actions.transition(app, "transfer", by=town, to_org=tree["G1211"])
    app = actions.transition(app, "transfer", by=town, to_org=tree["G1112"])
    assert app.handling_org == tree["G1112"] and app.status == S.SUBMITTED
    app = actions.transition(app, "escalate", by=make_cadre(tree["G1112"], "operator"))
    assert app.handling_org == tree["T111"]
    assert [e.action for e in app.events.all()] == ["create", "submit", "transfer", "escalate"]


def test_return_stops_the_clock_and_resubmission_moves_the_deadline(tree, applicant, monkeypatch):
    """Part 4: 退回补正 suspends: the deadline moves back by the working days the applicant took."""
    monday = datetime.date(2026, 6, 1)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: monday)
    app = file(tree, applicant)
    due = app.due_date
    assert due == workdays.add_workdays(monday, 15).date
    app = actions.transition(app, "return", by=make_cadre(tree["G1111"], "operator"), note="请补充诊断证明")
    assert app.suspended_on == monday and app.status == S.RETURNED
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: monday + datetime.timedelta(days=7))  # next Monday
    app = actions.transition(app, "resubmit", by=applicant)
    assert app.status == S.SUBMITTED and app.suspended_on is None
    assert app.due_date == workdays.add_workdays(due, 5).date


def test_join_item_leads_to_the_portal_join_flow_and_files_nothing_in_the_hall(tree, applicant):
    """Issue 12 point 3 (one machine per thing): 入会申请's current version sends the worker to /w/join/ (the
    portal's join application), the hall files none for it, and the hall's own join effect is gone."""
    join = item("join")
    assert (join.current.number, join.current.entry_url, join.current.effect, join.current.fields) == (
        2, "/w/join/", "", [])
    assert "实名绑定" in join.current.guide and "去办理" in join.current.guide
    assert "member_join" not in effects.EFFECTS
    with pytest.raises(DomainError, match="/w/join/"):
        file(tree, applicant, "join", raw={"name": "赵六"})
    assert not Application.objects.exists()
    assert ItemVersion.objects.get(item=join, number=1).effect == "member_join"  # the old version is kept


def test_legal_aid_current_guide_says_what_happens_next_and_nothing_under_construction():
    """Issue 12 point 3 D: 法律援助申请's new version drops the 建设中 note; the first version is kept."""
    legal = item("legal_aid")
    assert legal.current.number == 2 and "建设中" not in legal.current.guide
    assert "与您联系" in legal.current.guide and "我的办件" in legal.current.guide
    assert "建设中" in ItemVersion.objects.get(item=legal, number=1).guide


def test_rating_after_completion_once(tree, applicant):
    """Part 3: the applicant rates the completed service once (1–5)."""
    app = file(tree, applicant, "skills_training", raw={"name": "李四", "mobile": "13812345678", "course": "电工"})
    with pytest.raises(DomainError, match="办结后"):
        actions.rate(app, by=applicant, rating=5)
    app = actions.transition(app, "accept", by=make_cadre(tree["K11"], "operator"))
    app = actions.transition(app, "approve", by=make_cadre(tree["K11"], "approver"))
    with pytest.raises(DomainError, match="1到5星"):
        actions.rate(app, by=applicant, rating=6)
    assert actions.rate(app, by=applicant, rating=4, comment="办事快").rating == 4
    with pytest.raises(DomainError, match="已评价"):
        actions.rate(app, by=applicant, rating=5)


@POSTGRES_ONLY
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_cadres_accepting_at_once_one_wins(django_user_model):
    """Part 3: two cadres act on one application at once: exactly one transition, the other a clear message."""
    catalogue.install(ServiceItem, ItemVersion)
    orgs = build_tree()
    applicant = django_user_model.objects.create(username="w_race")
    app = file(orgs, applicant)
    a = make_cadre(orgs["G1111"], "operator", username="op_a")
    b = make_cadre(orgs["G1111"], "operator", username="op_b")
    results = run_in_threads(lambda: actions.transition(app, "accept", by=a),
                             lambda: actions.transition(app, "accept", by=b))
    assert sorted(type(r).__name__ for r in results) == ["Application", "DomainError"]
    loser = next(r for r in results if isinstance(r, DomainError))
    assert "已受理" in loser.message and "可能已由他人处理" in loser.message
    assert Application.objects.get(pk=app.pk).events.filter(action="accept").count() == 1
    assert connection.vendor == "postgresql"


# Parts 2 and 6 ------------------------------------------------------------------------------------

def test_default_catalogue_and_the_command(tree):
    """Part 2: the 16 default items; `gonghui service-items --json` prints code, name, level, limit, steps."""
    out = io.StringIO()
    call_command("service_items", "--json", stdout=out)
    items = json.loads(out.getvalue())
    assert [i["name"] for i in items] == [
        "入会申请", "转会申请", "电子会员卡申领", "困难职工帮扶申请", "金秋助学申请", "医疗互助报销", "大病救助申请",
        "法律援助申请", "劳动争议调解申请", "疗休养报名", "技能培训报名", "求职登记", "劳模困难补助申请", "建会申请",
        "集体合同备案", "经费返还申请"]
    hardship = next(i for i in items if i["code"] == "hardship_aid")
    assert hardship == {"code": "hardship_aid", "name": "困难职工帮扶申请", "level": "own", "time_limit_days": 15,
                        "steps": [{"name": "受理", "role": "operator"}, {"name": "审核", "role": "approver"},
                                  {"name": "审批", "role": "approver", "level": "county"}]}
    assert set(items[0]) == {"code", "name", "level", "time_limit_days", "steps"}


def test_hall_figures_against_hand_counted_applications(tree, applicant):
    """Part 6: received 3, accepted 2, completed 1 (rated 5), returned 1, rejected 1, within K11."""
    operator, approver = make_cadre(tree["K11"], "operator"), make_cadre(tree["K11"], "approver")
    raw = {"name": "李四", "mobile": "13812345678", "course": "电工"}
    done = actions.transition(file(tree, applicant, "skills_training", raw=raw), "accept", by=operator)
    done = actions.transition(done, "approve", by=approver)
    actions.rate(done, by=applicant, rating=5)
    returned = actions.transition(file(tree, applicant, "skills_training", raw=raw), "accept", by=operator)
    actions.transition(returned, "return", by=approver, note="补充")
    actions.transition(file(tree, applicant, "skills_training", raw=raw), "reject", by=operator, note="不符合条件")
    from gonghui.stats.registry import compute

    today = timezone.localdate()
    figures = compute(tree["K11"], today, today, prefix="hall.")
    assert {k: figures[k] for k in ("hall.received", "hall.accepted", "hall.completed", "hall.returned",
                                    "hall.rejected", "hall.satisfaction", "hall.on_time_rate")} == {
        "hall.received": 3, "hall.accepted": 2, "hall.completed": 1, "hall.returned": 1, "hall.rejected": 1,
        "hall.satisfaction": 5.0, "hall.on_time_rate": 100.0}
    assert figures["hall.completion_rate"] == round(100 / 3, 1) and figures["hall.handling_days_p90"] == 0.0
    assert compute(tree["K21"], today, today, prefix="hall.")["hall.received"] == 0
    out = io.StringIO()  # by item: the same numbers, on the item's row
    call_command("hall_stats", "--org", "K11", "--from", str(today), "--to", str(today), "--json", stdout=out)
    rows = json.loads(out.getvalue())["items"]
    assert [r["code"] for r in rows] == ["skills_training"]
    assert {k: rows[0][k] for k in ("hall.received", "hall.completed", "hall.rejected")} == {
        "hall.received": 3, "hall.completed": 1, "hall.rejected": 1}


def test_daily_reminders_notify_the_step_handlers_once_a_day(tree, applicant, django_capture_on_commit_callbacks):
    """Part 4: the periodic reminder: overdue and due-soon applications notify the handlers of the current
    step in the handling union, once a day; a returned one (clock stopped) is not reminded."""
    from gonghui.hall.actions import remind_due

    raw = {"name": "李四", "mobile": "13812345678", "course": "电工"}
    late = file(tree, applicant, "skills_training", raw=raw)
    soon = file(tree, applicant, "skills_training", raw=raw)
    paused = file(tree, applicant, "skills_training", raw=raw)
    operator = make_cadre(tree["K11"], "operator")
    make_cadre(tree["K11"], "approver")  # not the step's role: not reminded
    actions.transition(paused, "return", by=operator, note="补充")
    today = timezone.localdate()
    Application.objects.filter(pk__in=[late.pk, paused.pk]).update(due_date=today - datetime.timedelta(days=3))
    Application.objects.filter(pk=soon.pk).update(due_date=today)
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_due(today) == {"overdue": 1, "due_soon": 1, "notified": 2}
    assert remind_due(today) == {"overdue": 0, "due_soon": 0, "notified": 0}  # once a day
    texts = sorted(Notification.objects.filter(user=operator).values_list("text", flat=True))
    assert len(texts) == 2 and "已逾期" in texts[1] + texts[0] and "即将到期" in texts[1] + texts[0]
    out = io.StringIO()
    call_command("hall_remind", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"overdue": 0, "due_soon": 0, "notified": 0}


def test_handling_days_count_local_days(tree, applicant):
    """Part 6: handling time in working days between local (Beijing) days: an application submitted on Monday
    07:30 and completed on Saturday 07:30 took 4 working days (Tuesday–Friday), not the UTC days' 5."""
    from gonghui.hall import figures

    raw = {"name": "李四", "mobile": "13812345678", "course": "电工"}
    app = file(tree, applicant, "skills_training", raw=raw)
    tz = timezone.get_current_timezone()
    Application.objects.filter(pk=app.pk).update(
        status=S.COMPLETED, submitted_at=datetime.datetime(2026, 6, 1, 7, 30, tzinfo=tz),
        completed_at=datetime.datetime(2026, 6, 6, 7, 30, tzinfo=tz), due_date=datetime.date(2026, 6, 5))
    day = datetime.date(2026, 6, 6)
    assert figures.handling_days_mean(tree["K11"], day, day) == 4.0
    assert figures.on_time_rate(tree["K11"], day, day) == 0.0  # completed the day after its deadline
    assert figures.completed(tree["K11"], day, day) == 1 and figures.completed(tree["K11"], day, day, "join") == 0


def test_submission_needs_the_required_files(tree, applicant):
    """Part 3: submitting without a required material is refused, whatever page or API files it."""
    draft = actions.file_application(item=item("hardship_aid"), applicant=applicant, applicant_org=tree["G1111"],
                                     applicant_name="李四", raw=HARDSHIP, submit=False)
    with pytest.raises(DomainError, match="请上传：证明材料"):
        actions.transition(draft, "submit", by=applicant)
    with pytest.raises(DomainError, match="请上传：证明材料"):
        actions.file_application(item=item("hardship_aid"), applicant=applicant, applicant_org=tree["G1111"],
                                 applicant_name="李四", raw=HARDSHIP)
    assert list(Application.objects.values_list("status", flat=True)) == [S.DRAFT]  # the refused one left nothing


def test_due_filter_in_sql_agrees_with_the_row_flag(tree, applicant):
    """Part 4: the lists' due filter (SQL, used by the admin and the API) marks exactly what each row's flag
    says, over two weeks of deadlines around a weekend."""
    from gonghui.hall import queries

    raw = {"name": "李四", "mobile": "13812345678", "course": "电工"}
    today = datetime.date(2026, 6, 3)  # a Wednesday
    for offset in range(-3, 11):
        app = file(tree, applicant, "skills_training", raw=raw)
        Application.objects.filter(pk=app.pk).update(due_date=today + datetime.timedelta(days=offset))
    apps = Application.objects.all()
    for flag in ("overdue", "due_soon"):
        assert set(queries.with_due_flag(apps, flag, today)) == {a for a in apps if queries.due_flag(a, today) == flag}


def test_who_may_apply_is_checked_by_the_action(tree, applicant):
    """Part 2 (review fix): the item's applicants are enforced by file_application, not only by the pages: a
    person cannot file a union's item (经费返还申请), a union account cannot file a person's (困难职工帮扶申请)."""
    with pytest.raises(DomainError, match="由工会组织申请"):
        file(tree, applicant, "fund_refund", raw={"period": "2026年上半年", "amount": "1000"})
    cadre = make_cadre(tree["G1111"], "operator")
    with pytest.raises(DomainError, match="由职工本人申请"):
        file(tree, cadre, "hardship_aid")
    assert Application.objects.count() == 0
