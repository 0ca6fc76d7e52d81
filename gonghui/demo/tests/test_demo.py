import dataclasses
import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.models import Role, User
from gonghui.common import regions, uscc
from gonghui.common.models import AuditEntry
from gonghui.conftest import make_cadre
from gonghui.demo import actions
from gonghui.demo.actions import ACCOUNTS, DEMO_DEVICE, demo_password
from gonghui.demo.generator import ROOT_CODE, build_plan
from gonghui.orgs.actions import derive_level
from gonghui.orgs.models import Employer, Org, OrgEvent, path_step
from gonghui.stats.figures import orgs as figures


@pytest.fixture(autouse=True)
def without_programs(monkeypatch):
    # These tests are about the tree, the generated roll and the accounts; the programs' year (which joins,
    # moves and ends memberships) has its own tests in test_programs.py.
    monkeypatch.setattr(actions, "load_programs", lambda say, **kwargs: None)


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    # The demo accounts' passwords are hashed nine times per load; Argon2 would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def demo(db) -> dict:
    return json.loads(run("demo", "--json"))


def test_plan_same_seed_identical():
    rows = regions.read_csv()
    first = build_plan(scale="small", seed=7, regions=rows)
    again = build_plan(scale="small", seed=7, regions=rows)
    other = build_plan(scale="small", seed=8, regions=rows)
    assert dataclasses.asdict(first) == dataclasses.asdict(again)
    assert [o.name for o in first.orgs] != [o.name for o in other.orgs]


def test_plan_city_scale_size():
    plan = build_plan(scale="city", seed=2026, regions=regions.read_csv())
    assert 5000 <= len(plan.orgs) <= 8000
    below_city = {o.region_code[:4] for o in plan.orgs if o.level not in (Org.Level.PROVINCE, Org.Level.CITY)}
    assert below_city == {"3401"}


def test_demo_small_loads_the_plan(demo):
    plan = build_plan(scale="small", seed=2026, regions=regions.read_csv())
    assert sorted(Org.objects.values_list("code", "name")) == sorted((o.code, o.name) for o in plan.orgs)
    assert Employer.objects.count() == len(plan.employers)
    assert Employer.objects.filter(union__isnull=True).count() > 0
    assert set(Org.objects.values_list("kind", flat=True)) == set(Org.Kind.values)
    assert Org.objects.filter(level=Org.Level.CITY, kind=Org.Kind.FEDERATION).count() == 16
    assert Org.objects.exclude(status=Org.Status.ACTIVE).exists()
    assert OrgEvent.objects.filter(kind=OrgEvent.Kind.CREATED).count() == len(plan.orgs)
    assert AuditEntry.objects.filter(action="demo_load").count() == 1


def test_demo_credit_codes_valid(demo):
    for code in Org.objects.values_list("uscc", flat=True):
        assert uscc.problem(code, union=True) is None, code
    org_employer_codes = set(Org.objects.exclude(employer_uscc="").values_list("employer_uscc", flat=True))
    employer_codes = set(Employer.objects.values_list("uscc", flat=True))
    assert org_employer_codes <= employer_codes
    for code in employer_codes:
        assert uscc.problem(code) is None, code
        assert code[:2] in {"91", "93", "12", "11", "51"}, code


def test_demo_region_codes_exist_and_in_use(demo):
    used = set(Org.objects.values_list("region_code", flat=True)) | set(
        Employer.objects.values_list("region_code", flat=True))
    assert all(regions.problem(code) is None for code in used)
    towns = Org.objects.filter(level=Org.Level.TOWN)
    assert all(t.region_code == t.parent.region_code for t in towns.select_related("parent"))


def test_demo_paths_and_levels_as_create_org_makes_them(demo):
    orgs = {o.pk: o for o in Org.objects.all()}
    for org in orgs.values():
        parent = orgs.get(org.parent_id)
        assert org.path == (parent.path if parent else "") + path_step(org.pk)
        assert org.level == derive_level(org.kind, parent)
        if org.status == Org.Status.MERGED:
            assert orgs[org.merged_into_id].status == Org.Status.ACTIVE
            assert not org.employers.exists()
    root = Org.objects.get(code=ROOT_CODE)
    assert Org.objects.subtree(root).count() == len(orgs)


def test_demo_figures_meaningful(demo):
    root = Org.objects.get(code=ROOT_CODE)
    year = (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    assert figures.unions_new(root, *year) > 0
    assert 0 < figures.employers_100plus_rate(root, *year) < 100
    assert 60 < figures.congress_rate(root, *year) < 90


def test_demo_json_shape(db):
    out = run("demo", "--json")
    data = json.loads(out)
    assert set(data) == {"root", "accounts"} and data["root"] == ROOT_CODE
    assert [a["username"] for a in data["accounts"]] == [a[0] for a in ACCOUNTS]
    for account in data["accounts"]:
        assert set(account) == {"username", "password", "org", "roles"}
        assert set(account["roles"]) <= set(Role.values)
        assert Org.objects.filter(code=account["org"]).exists()
    by_name = {a["username"]: a for a in data["accounts"]}
    assert by_name["chakan"]["roles"] == []
    assert by_name["admin"]["roles"] == [Role.SYSADMIN]
    assert by_name["sheng"]["org"] == ROOT_CODE


def test_demo_accounts_placed_at_each_level(demo):
    user = {u.username: u for u in User.objects.select_related("org")}
    assert user["shi"].org.level == Org.Level.CITY and user["shi"].org.kind == Org.Kind.FEDERATION
    assert user["xian"].org.level == Org.Level.COUNTY and user["xian"].org.parent == user["shi"].org
    assert user["zhen"].org.level == Org.Level.TOWN and user["zhen"].org.parent == user["xian"].org
    assert user["jiceng"].org.kind == Org.Kind.GRASSROOTS and user["jiceng"].org.parent == user["zhen"].org
    assert user["chakan"].org.level == Org.Level.COUNTY and not user["chakan"].roles
    assert user["sheng"].roles == {Role.OPERATOR, Role.APPROVER, Role.ORG_ADMIN}


def test_demo_once_creates_nothing_the_second_time(demo):
    counts = (Org.objects.count(), Employer.objects.count(), User.objects.count(), AuditEntry.objects.count())
    again = json.loads(run("demo", "--once", "--json"))
    assert again == demo
    text = run("demo", "--once")
    assert "未重复导入" in text and "gonghui demo-otp <用户名>" in text and "Demo#2026sheng" in text
    assert (Org.objects.count(), Employer.objects.count(), User.objects.count(),
            AuditEntry.objects.count()) == counts


def test_demo_refuses_a_second_load(demo):
    with pytest.raises(CommandError, match="已存在"):
        run("demo")
    assert AuditEntry.objects.filter(action="demo_load").count() == 1


def test_demo_prints_the_account_table(db):
    text = run("demo")
    assert "已导入演示数据" in text
    assert "安全管理员" in text and "只读（无角色）" in text and "瑶海区总工会" in text


def test_demo_otp_code_verifies_against_the_device(demo):
    code = run("demo_otp", "sheng").strip()
    assert len(code) == 6 and code.isdigit()
    device = TOTPDevice.objects.get(user__username="sheng", name=DEMO_DEVICE)
    assert device.verify_token(code)


def test_demo_otp_refuses_other_accounts(demo):
    user = make_cadre(Org.objects.get(code=ROOT_CODE), Role.OPERATOR, username="real")
    assert TOTPDevice.objects.filter(user=user).exists()
    with pytest.raises(CommandError, match="不是演示账号"):
        run("demo_otp", "real")
    with pytest.raises(CommandError, match="不是演示账号"):
        run("demo_otp", "nobody")


def test_demo_accounts_log_in(demo, client):
    request = RequestFactory().post("/accounts/login/")
    for account in demo["accounts"]:
        assert client.login(request=request, username=account["username"], password=account["password"])
        user = User.objects.get(username=account["username"])
        assert TOTPDevice.objects.filter(user=user, confirmed=True, name=DEMO_DEVICE).exists()
        assert user.requires_two_factor == bool(account["roles"])
        client.logout()
    assert not client.login(request=request, username="sheng", password=demo_password("shi"))


def test_demo_refused_in_production(db, settings):
    """Demo accounts have published passwords: no demo load unless allowed (production default)."""
    settings.ALLOW_DEMO = False
    with pytest.raises(CommandError, match="生产环境"):
        call_command("demo", "--scale", "small")
    assert not Org.objects.exists()
