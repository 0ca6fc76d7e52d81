"""Demo members (issue 3, part 9: `gonghui demo` fills members with valid, realistic records)."""

import collections
import datetime
import io
import json
import re

import pytest
from django.core.management import call_command
from django.db import connection

from gonghui.accounts.models import User
from gonghui.common import codesets, idcard, pii, regions
from gonghui.common.models import AuditEntry, Region
from gonghui.demo import actions
from gonghui.demo import members as demo_members
from gonghui.demo.generator import DATA_END, build_plan
from gonghui.members import numbers
from gonghui.members.facts import MIN_AGE, age_on, clean
from gonghui.members.models import ID_CONTEXT, MOBILE_CONTEXT, Member, MemberEvent, NumberSequence
from gonghui.orgs.models import Org
from gonghui.orgs.queries import visible_to

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


@pytest.fixture(autouse=True)
def without_programs(monkeypatch):
    # These tests are about the tree, the generated roll and the accounts; the programs' year (which joins,
    # moves and ends memberships) has its own tests in test_programs.py.
    monkeypatch.setattr(actions, "load_programs", lambda say, **kwargs: None)


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db) -> dict:
    out = io.StringIO()
    call_command("demo", "--json", stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def revealed(member: Member) -> tuple[str, str]:
    number = pii.decrypt(member.id_number_enc, context=ID_CONTEXT + member.id_index)
    mobile = pii.decrypt(member.mobile_enc, context=MOBILE_CONTEXT + member.id_index) if member.mobile_enc else ""
    return number, mobile


def test_demo_members_small_counts_and_every_id_valid(demo):
    """Every demo ID number passes idcard.parse, is unique, matches gender and birth date, and its
    region code is a county code in common.Region; the counts are those of the scale."""
    members = list(Member.objects.select_related("org"))
    assert 4000 <= len(members) <= 6000
    assert len({m.id_index for m in members}) == len(members)
    counties = set(Region.objects.filter(level=Region.Level.COUNTY).values_list("code", flat=True))
    numbers_seen = set()
    for m in members:
        number, mobile = revealed(m)
        info = idcard.parse(number)
        assert info.number == number and number[:6] in counties
        assert (info.gender, info.birth_date) == (m.gender, m.birth_date)
        assert datetime.date(1961, 1, 1) <= m.birth_date <= datetime.date(2006, 12, 31)
        assert m.id_index == pii.blind_index(number, purpose="id_number")
        assert m.id_masked == pii.mask_id(number)
        assert mobile == "" or (MOBILE_RE.match(mobile) and m.mobile_masked == pii.mask_mobile(mobile))
        assert m.org.kind in (Org.Kind.GRASSROOTS, Org.Kind.JOINT) and m.org.status == Org.Status.ACTIVE
        numbers_seen.add(number)
    assert len(numbers_seen) == len(members)
    entry = AuditEntry.objects.get(action="demo_load")
    assert entry.changes["members"] == len(members)


def test_demo_members_pass_the_one_validation(demo):
    """Each record, typed back in as raw values, passes facts.clean unchanged (the form/API/import rules)."""
    for m in Member.objects.all():
        number, mobile = revealed(m)
        raw = {"name": m.name, "id_number": number, "gender": m.gender, "birth_date": m.birth_date,
               "mobile": mobile, "ethnicity": m.ethnicity, "education": m.education,
               "political_status": m.political_status, "household_type": m.household_type,
               "is_migrant_worker": m.is_migrant_worker, "worker_group": m.worker_group, "join_date": m.join_date,
               "member_number": m.member_number}
        facts, problems = clean(raw, today=DATA_END)
        assert problems == [], (m.pk, problems)
        assert (facts.name, facts.join_date, facts.member_number) == (m.name, m.join_date, m.member_number)
        assert age_on(m.birth_date, m.join_date) >= MIN_AGE
        assert datetime.date(2000, 1, 1) <= m.join_date <= DATA_END
        assert m.join_date >= m.org.founded_on


def test_demo_members_realistic_mix(demo):
    members = list(Member.objects.all())
    n = len(members)
    share = collections.Counter()
    for m in members:
        share["women"] += m.gender == idcard.FEMALE
        share["migrant"] += m.is_migrant_worker
        share["eight"] += m.worker_group in codesets.EIGHT_GROUPS
        share["han"] += m.ethnicity == "01"
        share["dot"] += "·" in m.name
        share["mobile"] += bool(m.mobile_enc)
        share["ended"] += m.status != Member.Status.ACTIVE
    assert 0.35 < share["women"] / n < 0.55
    assert 0.2 < share["migrant"] / n < 0.4
    assert 0.02 < share["eight"] / n < 0.1
    assert 0.97 < share["han"] / n < 1
    assert share["dot"] >= 1  # minority names with the middle dot
    assert 0.9 < share["mobile"] / n < 1
    assert 0.05 < share["ended"] / n < 0.3
    assert {m.education for m in members} >= {"21", "31", "61", "71"}
    assert {m.political_status for m in members} >= {"01", "03", "13"}
    assert set(Member.objects.values_list("status", flat=True)) >= {Member.Status.ACTIVE, Member.Status.RETIRED,
                                                                    Member.Status.LEFT}


def test_demo_members_numbers_follow_the_scheme(demo):
    """Member numbers: PP YYYY NNNNNNNN C (numbers.py), year of joining, serials per prefix from 1;
    NumberSequence continues after them, so the next join gets a fresh number."""
    by_prefix = collections.defaultdict(list)
    for number, joined in Member.objects.values_list("member_number", "join_date"):
        assert numbers.is_valid(number)
        assert number[:6] == f"34{joined.year}"
        by_prefix[number[:6]].append(int(number[6:14]))
    sequences = dict(NumberSequence.objects.values_list("prefix", "last"))
    assert set(sequences) == set(by_prefix)
    for prefix, serials in by_prefix.items():
        assert sorted(serials) == list(range(1, len(serials) + 1))
        assert sequences[prefix] == len(serials)
    org = Member.objects.first().org
    fresh = numbers.allocate(org, 2025)[0]
    assert int(fresh[6:14]) == len(by_prefix["342025"]) + 1


def test_demo_members_timeline_events(demo):
    """Every member has a joined event; transferred members joined elsewhere and moved in; ended
    memberships have their event on the status date."""
    events = collections.defaultdict(list)
    for e in MemberEvent.objects.order_by("date", "id"):
        events[e.member_id].append(e)
    members = list(Member.objects.all())
    assert len(events) == len(members)
    kinds = collections.Counter()
    for m in members:
        timeline = events[m.pk]
        first = timeline[0]
        assert first.kind == MemberEvent.Kind.JOINED and first.date == m.join_date
        moves = [e for e in timeline if e.kind == MemberEvent.Kind.TRANSFERRED]
        if moves:
            assert moves[0].to_org_id == m.org_id and first.org_id == moves[0].org_id != m.org_id
        else:
            assert first.org_id == m.org_id
        if m.status == Member.Status.ACTIVE:
            assert m.status_date is None and len(timeline) == 1 + len(moves)
        else:
            last = timeline[-1]
            assert (last.kind, last.date, last.org_id) == (m.status, m.status_date, m.org_id)
            assert m.join_date <= m.status_date <= DATA_END
        kinds.update(e.kind for e in timeline)
    assert kinds[MemberEvent.Kind.TRANSFERRED] > 0 and kinds[MemberEvent.Kind.RETIRED] > 0


def test_demo_members_cadre_sees_only_the_subtree(demo):
    users = {u.username: u for u in User.objects.select_related("org")}
    for name in ("sheng", "shi", "xian", "zhen", "jiceng"):
        user = users[name]
        seen = visible_to(user, Member)
        assert seen.exists(), name
        assert seen.count() == Member.objects.filter(org__path__startswith=user.org.path).count()
        assert all(org.is_within(user.org) for org in Org.objects.filter(members__in=seen).distinct())
    assert visible_to(users["sheng"], Member).count() == Member.objects.count()
    outside = Member.objects.exclude(org__path__startswith=users["xian"].org.path)
    assert outside.exists()
    assert not visible_to(users["xian"], Member).filter(pk__in=outside.values("pk")).exists()


def test_demo_members_no_personal_data_in_clear(demo):
    """No ID or mobile number appears in any column of the member tables."""
    clear = set()
    for m in Member.objects.all()[:300]:
        number, mobile = revealed(m)
        clear |= {number, mobile} - {""}
    tables = [Member._meta.db_table, MemberEvent._meta.db_table]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {table}")
            for row in cursor.fetchall():
                text = "\t".join(str(v) for v in row)
                assert not any(value in text for value in clear), table


def test_demo_members_deterministic_whatever_the_split():
    """Same seed, same members, however the unions are grouped into work units; another seed differs."""
    rows = regions.read_csv()
    plan = build_plan(scale="small", seed=11, regions=[r for r in rows if r["in_use"] and r["code"][:2] == "34"])
    county = demo_members.build_regions([r for r in rows if r["level"] == "county"])
    unions = demo_members.plan_unions(plan, list(range(1, len(plan.orgs) + 1)), first_id=1)

    def run(size, seed=11):
        batches = [demo_members.generate_encoded(t, seed=seed, regions=county, copy=False, stamp="")
                   for t in demo_members.tasks(unions, size=size)]
        return [(k, r["name"], r["join_date"], r["org_id"]) for b in batches for k, r in zip(b.keys, b.rows,
                                                                                                 strict=True)]

    whole = run(10**9)
    assert run(500) == whole
    assert len(whole) == sum(u.count for u in unions)
    assert [row[0] for row in run(10**9, seed=12)] != [row[0] for row in whole]


def test_demo_members_large_load_path(db, monkeypatch):
    """The path of the city and province scales (worker processes; on PostgreSQL COPY with the
    indexes and constraints dropped and made again) gives the same members as the small path and
    leaves the schema as it was."""
    def schema():
        if connection.vendor != "postgresql":
            return None
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename LIKE 'members_%%' "
                           "UNION ALL SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                           "WHERE conrelid::regclass::text LIKE 'members_%%' ORDER BY 1, 2")
            return cursor.fetchall()

    before = schema()
    monkeypatch.setattr(actions, "PARALLEL_FROM", 1)
    result = actions.load_demo(scale="small", seed=5, workers=2)
    assert schema() == before
    assert Member.objects.count() == result.members > 4000
    assert MemberEvent.objects.filter(kind=MemberEvent.Kind.JOINED).count() == result.members
    member = Member.objects.order_by("?").first()
    assert idcard.parse(revealed(member)[0]).gender == member.gender
    assert len(set(Member.objects.values_list("id_index", flat=True))) == result.members
