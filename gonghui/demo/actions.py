"""Loading the demo province: the plan of generator.build_plan written in bulk, then its members
(demo/members.py), then the demo accounts.

Organizations are inserted level by level with bulk_create (84 000 create_org calls would take many
minutes); each level's paths are then written with the rule create_org uses, parent.path +
path_step(pk), and levels come from the same derive_level. Members (6.5 M at province scale) are
generated and encrypted in worker processes and written with PostgreSQL COPY (bulk_create elsewhere);
their member numbers follow numbers.py, with NumberSequence advanced past them. One audit entry covers
the whole load.
"""

import collections
import contextlib
import dataclasses
import functools
import hashlib
import hmac
import itertools
import multiprocessing
import os
import tempfile

from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat, Mod, Substr
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.actions import create_cadre
from gonghui.accounts.models import Role, User
from gonghui.common import audit
from gonghui.common.actors import system_actor
from gonghui.common.errors import DomainError
from gonghui.common.models import Region
from gonghui.members import numbers
from gonghui.members.models import Member, MemberEvent, NumberSequence
from gonghui.orgs.models import ALPHABET, STEP, Employer, Org, OrgEvent, path_step

from . import members as demo_members
from .generator import ROOT_CODE, OrgSpec, Plan, build_plan
from .programs import load_programs

DEMO_DEVICE = "演示设备"
DEFAULT_SEED = 2026
BATCH = 2000
PARALLEL_FROM = 100_000  # members: below this, generating in worker processes costs more than it saves
CADRE = frozenset({Role.OPERATOR, Role.APPROVER, Role.ORG_ADMIN})
# username, where the account sits (a key of Plan.places), roles.
ACCOUNTS = (
    ("admin", "province", frozenset({Role.SYSADMIN})),
    ("secadmin", "province", frozenset({Role.SECADMIN})),
    ("auditor", "province", frozenset({Role.AUDITOR})),
    ("sheng", "province", CADRE),
    ("shi", "city", CADRE),
    ("xian", "county", CADRE),
    ("zhen", "town", CADRE),
    ("jiceng", "grassroots", CADRE),
    ("chakan", "county", frozenset()),
)
# OrgSpec fields that are Org fields as they are (the others are plan keys, resolved to orgs here).
ORG_FACTS = [f.name for f in dataclasses.fields(OrgSpec) if f.name not in {"key", "parent", "depth", "merged_into"}]


def demo_password(username: str) -> str:
    """The initial password of a demo account: meets the password policy, and is printed openly."""
    return f"Demo#2026{username}"


def demo_totp_key(seed: int, username: str) -> str:
    """The demo device's TOTP key (40 hex digits), derived from the seed so a reload gives the same key."""
    return hmac.new(f"gonghui-demo:{seed}".encode(), username.encode(), hashlib.sha256).hexdigest()[:40]


@dataclasses.dataclass
class DemoAccount:
    username: str
    password: str
    org_code: str
    org_name: str
    roles: list[str]


@dataclasses.dataclass
class LoadResult:
    root: Org
    orgs: int
    employers: int
    members: int


def demo_root() -> Org | None:
    return Org.objects.filter(code=ROOT_CODE).first()


def demo_accounts() -> list[DemoAccount]:
    """The demo accounts present in the database, in the order of ACCOUNTS."""
    users = {u.username: u for u in User.objects.filter(username__in=[a[0] for a in ACCOUNTS]).select_related("org")}
    return [
        DemoAccount(username=name, password=demo_password(name), org_code=users[name].org.code,
                    org_name=users[name].org.name, roles=[r for r in Role.values if r in users[name].roles])
        for name, _, _ in ACCOUNTS if name in users and users[name].org_id
    ]


def demo_regions() -> list[dict]:
    rows = Region.objects.filter(in_use=True, code__startswith="34").values("code", "name", "level", "in_use")
    return list({r["code"]: r for r in rows}.values())


@transaction.atomic
def load_demo(*, scale: str, seed: int = DEFAULT_SEED, progress=None, workers: int | None = None) -> LoadResult:
    """Write the demo province of `scale` and `seed`, its members and its accounts, in one
    transaction. Refuses when the demo root already exists. `workers`: processes that generate
    members (default: one per CPU; used on PostgreSQL from PARALLEL_FROM members)."""
    say = progress or (lambda message: None)
    if Org.objects.filter(code=ROOT_CODE).exists():
        raise DomainError(f"演示数据已存在（根组织代码 {ROOT_CODE}），不会重复导入。")
    plan = build_plan(scale=scale, seed=seed, regions=demo_regions())
    say(f"已生成：组织 {len(plan.orgs)} 个，用人单位 {len(plan.employers)} 家。")
    try:
        with transaction.atomic():
            orgs = _write_orgs(plan, say)
            _write_events(plan, orgs)
            Employer.objects.bulk_create(
                [Employer(name=e.name, uscc=e.uscc, employer_type=e.employer_type, industry=e.industry,
                          employee_count=e.employee_count, region_code=e.region_code,
                          union=orgs[e.union] if e.union is not None else None) for e in plan.employers],
                batch_size=BATCH,
            )
            say("组织沿革与用人单位已写入。")
    except IntegrityError as e:
        raise DomainError(f"演示数据与库中已有的组织或用人单位代码冲突：{e}") from None
    members = _write_members(plan, orgs, seed=seed, say=say, workers=workers)
    root = orgs[0]
    for username, place, roles in ACCOUNTS:
        user = create_cadre(username=username, password=demo_password(username), org=orgs[plan.places[place]],
                            roles=set(roles), full_name=f"演示{username}", must_change_password=False,
                            by=system_actor())
        TOTPDevice.objects.create(user=user, name=DEMO_DEVICE, key=demo_totp_key(seed, username), confirmed=True)
    load_programs(say, scale=scale, seed=seed)
    audit.record("demo_load", obj=root, actor=system_actor(), changes={
        "scale": scale, "seed": seed, "orgs": len(plan.orgs), "employers": len(plan.employers), "members": members,
        "accounts": [a[0] for a in ACCOUNTS],
    })
    return LoadResult(root=root, orgs=len(plan.orgs), employers=len(plan.employers), members=members)


def _write_orgs(plan: Plan, say) -> list[Org]:
    """bulk_create one depth at a time (a parent's pk is known before its children are built), then
    each new org's path is its parent's path plus its own step, as create_org writes it."""
    orgs: list[Org] = [None] * len(plan.orgs)  # type: ignore[list-item]
    for depth, specs in enumerate(plan.by_depth()):
        batch = []
        for spec in specs:
            org = Org(parent=orgs[spec.parent] if spec.parent is not None else None, path="",
                      **{name: getattr(spec, name) for name in ORG_FACTS})
            orgs[spec.key] = org
            batch.append(org)
        Org.objects.bulk_create(batch, batch_size=BATCH)
        # One UPDATE per level instead of bulk_update's CASE per row (twice as fast at 80 000 rows).
        Org.objects.filter(path="").update(path=Concat(
            Coalesce(Subquery(Org.objects.filter(pk=OuterRef("parent_id")).order_by().values("path")), Value("")),
            _path_step_sql("id"),
        ))
        for spec, org in zip(specs, batch, strict=True):
            org.path = (orgs[spec.parent].path if spec.parent is not None else "") + path_step(org.pk)
        say(f"第 {depth + 1} 层：{len(batch)} 个组织。")
    merged = []
    for spec in plan.orgs:
        if spec.merged_into is not None:
            orgs[spec.key].merged_into = orgs[spec.merged_into]
            merged.append(orgs[spec.key])
    Org.objects.bulk_update(merged, ["merged_into"], batch_size=BATCH)
    return orgs


def _path_step_sql(field: str):
    """path_step(pk) as an SQL expression: STEP base-36 digits of `field`, most significant first."""
    alphabet = Value(ALPHABET, output_field=CharField())
    digits = [Substr(alphabet, Cast(Mod(F(field) / Value(36**k), Value(36)) + Value(1), IntegerField()), 1)
              for k in reversed(range(STEP))]
    return Concat(*digits, output_field=CharField())


def _write_events(plan: Plan, orgs: list[Org]) -> None:
    events = []
    for spec in plan.orgs:
        org = orgs[spec.key]
        parent = orgs[spec.parent].code if spec.parent is not None else None
        events.append(OrgEvent(org=org, kind=OrgEvent.Kind.CREATED, detail={"parent": parent}))
        if spec.status == Org.Status.DISSOLVED:
            events.append(OrgEvent(org=org, kind=OrgEvent.Kind.DISSOLVED,
                                   detail={"on": str(spec.closed_on), "reason": "单位注销"}))
        elif spec.status == Org.Status.MERGED:
            into = orgs[spec.merged_into]
            events.append(OrgEvent(org=org, kind=OrgEvent.Kind.MERGED, detail={"into": into.code}))
            events.append(OrgEvent(org=into, kind=OrgEvent.Kind.ABSORBED, detail={"from": org.code}))
    OrgEvent.objects.bulk_create(events, batch_size=BATCH)


def _write_members(plan: Plan, orgs: list[Org], *, seed: int, say, workers: int | None) -> int:
    """Generate, number and write the plan's members and their timeline events; returns how many.

    Worker processes generate and encrypt (demo/members.py, by union, so the result does not depend
    on their number); this process keeps the order of the unions, drops an ID number drawn a second
    time, issues the member numbers and writes. The primary keys are chosen here so that events can
    name their member: a block from the table's sequence, which is then moved past it."""
    missing = {f.column for f in Member._meta.concrete_fields} ^ set(demo_members.MEMBER_COLUMNS)
    if missing:
        raise RuntimeError(f"demo/members.py 的会员列与模型不一致：{sorted(missing)}")
    postgres = connection.vendor == "postgresql"
    county = Region.objects.filter(level=Region.Level.COUNTY).values("code", "name", "in_use", "successors")
    regions = demo_members.build_regions(county)
    first_id = _member_id_block(postgres)
    unions = demo_members.plan_unions(plan, [o.pk for o in orgs], first_id)
    total = sum(u.count for u in unions)
    work = functools.partial(demo_members.generate_encoded, seed=seed, regions=regions, copy=postgres,
                             stamp=timezone.now().isoformat())
    sequences = {s.prefix: s for s in NumberSequence.objects.select_for_update()}
    last = {prefix: s.last for prefix, s in sequences.items()}
    counted = collections.Counter()

    def numbered(batches):
        seen: set[int] = set()  # the first 17 digits of every ID number written so far
        for batch in batches:
            kept = []
            for key, prefix, row, events in zip(batch.keys, batch.prefixes, batch.rows, batch.events, strict=True):
                if key in seen:
                    counted["dropped"] += 1
                    continue
                seen.add(key)
                serial = last[prefix] = last.get(prefix, 0) + 1
                body = f"{prefix}{serial:08d}"
                kept.append((row, events, body + numbers.check_char(body)))
            counted["written"] += len(kept)
            counted["batches"] += 1
            if counted["batches"] % 25 == 0:
                say(f"会员：已生成 {counted['written']} / {total} 人。")
            yield kept

    workers = workers or os.cpu_count() or 1
    large = postgres and total >= PARALLEL_FROM
    parallel = large and workers > 1
    with (multiprocessing.get_context("fork").Pool(workers) if parallel else _Serial()) as pool, \
            (_without_indexes([Member, MemberEvent], say) if large else contextlib.nullcontext()):
        batches = numbered(_ordered(pool, work, demo_members.tasks(unions), depth=2 * workers))
        (_copy_members if postgres else _create_members)(batches)
    if postgres and counted["written"]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
                           [Member._meta.db_table, first_id + total - 1])
    for prefix, value in last.items():
        if prefix in sequences:
            if sequences[prefix].last != value:
                NumberSequence.objects.filter(pk=sequences[prefix].pk).update(last=value)
        else:
            NumberSequence.objects.create(prefix=prefix, last=value)
    say(f"会员：{counted['written']} 人及其会籍记录已写入（重复抽到的身份证号 {counted['dropped']} 个已略去）。")
    return counted["written"]


@contextlib.contextmanager
def _without_indexes(models, say):
    """PostgreSQL's recipe for a large load ("Populating a Database"): the tables' secondary indexes,
    unique and foreign-key constraints are dropped for the load and made again after it, in the same
    transaction. Building an index once is ≈ 6× faster than keeping it up to date row by row, and a
    foreign key added to a full table is checked in one join instead of one query per row at commit.
    The primary keys stay (other tables refer to them; new ids are in order, so cheap to index)."""
    restore: list[str] = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        # A table with deferred checks pending (the orgs just written) cannot be altered: check them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC, conname", [table])
            constraints = cursor.fetchall()
            cursor.execute(
                "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
                "WHERE indrelid = %s::regclass AND NOT indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = indexrelid) ORDER BY 1", [table])
            indexes = cursor.fetchall()
            for name, _, _ in constraints:
                cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            for name, _ in indexes:
                cursor.execute(f"DROP INDEX {name}")
            restore += [definition for _, definition in indexes]
            restore += [f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'
                        for name, definition, _ in constraints]
    yield
    say(f"会员：正在重建索引与约束（{len(restore)} 项）。")
    # Unique constraints of every table first, then the foreign keys that may refer to them.
    restore.sort(key=lambda sql: " FOREIGN KEY " in sql)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for sql in restore:
            cursor.execute(sql)


def _member_id_block(postgres: bool) -> int:
    """The first primary key of the members about to be written (the rest follow it)."""
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [Member._meta.db_table])
            return cursor.fetchone()[0]
    return (Member.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1


class _Serial:
    """Stands in for a process pool: runs the work here."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def apply_async(self, fn, args):
        return _Done(fn(*args))


@dataclasses.dataclass
class _Done:
    value: object

    def get(self):
        return self.value


def _ordered(pool, fn, items, *, depth: int):
    """fn(item) for each item, in order, computed by `pool` with at most `depth` results waiting
    (Pool.imap has no bound: a slow writer would let finished batches pile up in memory)."""
    items = iter(items)
    pending = collections.deque(pool.apply_async(fn, (item,)) for item in itertools.islice(items, depth))
    while pending:
        result = pending.popleft().get()
        for item in itertools.islice(items, 1):
            pending.append(pool.apply_async(fn, (item,)))
        yield result


def _copy_members(batches) -> None:
    """PostgreSQL: COPY the members; their events wait in a temporary file for a second COPY."""
    members = ", ".join(demo_members.MEMBER_COLUMNS)
    events = ", ".join(demo_members.EVENT_COLUMNS)
    with connection.cursor() as cursor, tempfile.TemporaryFile() as spool:
        with cursor.copy(f"COPY {Member._meta.db_table} ({members}) FROM STDIN") as copy:
            for kept in batches:
                copy.write("".join(f"{row}{number}\n" for row, _, number in kept))
                spool.write("".join(events for _, events, _ in kept).encode())
        spool.seek(0)
        with cursor.copy(f"COPY {MemberEvent._meta.db_table} ({events}) FROM STDIN") as copy:
            while block := spool.read(1 << 22):
                copy.write(block)


def _create_members(batches) -> None:
    """Other databases: bulk_create."""
    for kept in batches:
        Member.objects.bulk_create([Member(**row, member_number=number) for row, _, number in kept],
                                   batch_size=BATCH)
        MemberEvent.objects.bulk_create([
            MemberEvent(member_id=row["id"], kind=kind, date=day, org_id=org, to_org_id=to,
                        note=demo_members.SOURCE_NOTES[row["source"]] if kind == MemberEvent.Kind.JOINED else "")
            for row, events, _ in kept for kind, day, org, to in events
        ], batch_size=BATCH)
