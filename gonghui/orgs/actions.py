"""Writes to the organization tree. Each action runs in one transaction, checks the domain rules
(raising DomainError with a Chinese message), records history and writes one audit entry."""

import datetime

from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone

from gonghui.common import audit, regions
from gonghui.common import uscc as uscc_lib
from gonghui.common.actors import is_system
from gonghui.common.changes import changing as changing_rows
from gonghui.common.changes import created as created_rows
from gonghui.common.errors import DomainError

from .models import STEP, Employer, Org, OrgEvent, path_step

# The facts an org carries besides its place in the tree; changes to these are audited field by field.
FACT_FIELDS = [
    "code", "name", "kind", "uscc", "region_code", "employer_name", "employer_uscc", "employer_type",
    "industry", "employee_count", "founded_on", "chair_name", "phone", "has_congress", "has_disclosure",
]
NEXT_LEVEL = {
    Org.Level.NATIONAL: Org.Level.PROVINCE,
    Org.Level.PROVINCE: Org.Level.CITY,
    Org.Level.CITY: Org.Level.COUNTY,
    Org.Level.COUNTY: Org.Level.TOWN,
}
LEAF_KINDS = {Org.Kind.GRASSROOTS, Org.Kind.JOINT}


def derive_level(kind: str, parent: Org | None, *, root_level: str = Org.Level.PROVINCE) -> str:
    """The level an org of `kind` takes under `parent`: a federation is one level below its parent,
    other unions sit at their parent's level, grassroots unions at the grassroots level."""
    if parent is not None and parent.kind in LEAF_KINDS:
        raise DomainError("基层工会下不能设立下级工会组织。", field="parent")
    if kind in LEAF_KINDS:
        return Org.Level.GRASSROOTS
    if parent is None:
        return root_level
    if kind == Org.Kind.FEDERATION:
        if parent.level not in NEXT_LEVEL:
            raise DomainError("乡镇（街道）总工会下不能再设总工会。", field="kind")
        return NEXT_LEVEL[parent.level]
    return parent.level


def check_facts(facts: dict, *, code_looked_up: bool = False) -> list[tuple[str, str]]:
    """Problems with an org's facts as (field, Chinese message); empty when all is well.
    The one validation used by forms, the API and the import. `code_looked_up`: the caller has already
    looked the code up (the import reads every code of a file in one query), so it is not queried again."""
    problems = []
    if not facts.get("code"):
        problems.append(("code", "组织代码不能为空。"))
    elif not code_looked_up and Org.objects.filter(code=facts["code"]).exclude(pk=facts.get("pk")).exists():
        problems.append(("code", f"组织代码 {facts['code']} 已存在。"))
    if not facts.get("name"):
        problems.append(("name", "组织名称不能为空。"))
    if facts.get("kind") not in Org.Kind.values:
        problems.append(("kind", "组织类型应为：" + "、".join(Org.Kind.labels) + "。"))
    if facts.get("uscc"):
        if msg := uscc_lib.problem(facts["uscc"], union=True):
            problems.append(("uscc", msg))
    if facts.get("employer_uscc"):
        if msg := uscc_lib.problem(facts["employer_uscc"]):
            problems.append(("employer_uscc", "单位" + msg))
    if facts.get("region_code"):
        if msg := regions.problem(facts["region_code"]):
            problems.append(("region_code", msg))
    if facts.get("founded_on") and facts["founded_on"] > datetime.date.today():
        problems.append(("founded_on", "建会日期不能晚于今天。"))
    return problems


def _raise_first(problems: list[tuple[str, str]]) -> None:
    if problems:
        field, message = problems[0]
        raise DomainError(message, field=field)


def _check_actor_reaches(by, org: Org | None, what: str) -> None:
    """A cadre may only place or change orgs inside their own subtree (R-AZ-3)."""
    if is_system(by) or org is None:
        return
    if by.org_id is None or not org.is_within(by.org):
        raise DomainError(f"{what}不在您的管辖范围内。", field="parent")


def _check_actor_above(by, org: Org, refusal: str) -> None:
    """Moving, dissolving or merging a union is decided by a union above it: a cadre may not do it to their
    own union (nor to one outside their subtree)."""
    _check_actor_reaches(by, org, "该组织")
    if not is_system(by) and org.pk == by.org_id:
        raise DomainError(refusal)


def check_placement(by, parent: Org | None, kind: str | None, *, new: bool) -> None:
    """An org of `kind` may be placed under `parent` by `by` (only the system actor — a command — places
    top-level orgs)."""
    if new and parent is None and not is_system(by):
        raise DomainError("请选择上级组织。", field="parent")
    _check_actor_reaches(by, parent, "上级组织")
    if parent is not None and parent.status != Org.Status.ACTIVE:
        raise DomainError("上级组织已撤销或合并。", field="parent")
    if kind in Org.Kind.values:
        derive_level(kind, parent)


def _lock_tree(org: Org) -> None:
    """Serialize changes to the shape of one top-level tree (moves, merges): lock its root row.
    They are rare, and a move rewrites paths that a concurrent move may be reading."""
    list(Org.objects.select_for_update().filter(path=org.path[:STEP]))


def _fresh(org: Org | None) -> Org | None:
    """`org` re-read under a row lock, so its path and status are the committed ones."""
    return Org.objects.select_for_update().get(pk=org.pk) if org is not None else None


@transaction.atomic
def create_org(*, by, parent: Org | None, level: str | None = None, **facts) -> Org:
    _raise_first(check_facts(facts))
    parent = _fresh(parent)
    check_placement(by, parent, facts.get("kind"), new=True)
    org = Org(parent=parent, level=level or derive_level(facts["kind"], parent), path="", **facts)
    org.save()
    org.path = (parent.path if parent else "") + path_step(org.pk)
    Org.objects.filter(pk=org.pk).update(path=org.path)
    OrgEvent.objects.create(org=org, kind=OrgEvent.Kind.CREATED, by=by,
                            detail={"parent": parent.code if parent else None})
    audit.record("create", actor=by, obj=org, changes=audit.snapshot(org, FACT_FIELDS))
    return org


@transaction.atomic
def update_org(org: Org, *, by, **changes) -> Org:
    org = _fresh(org)
    _check_actor_reaches(by, org, "该组织")
    before = audit.snapshot(org, FACT_FIELDS)
    for name, value in changes.items():
        if name not in FACT_FIELDS:
            raise DomainError(f"不能直接修改字段 {name}。")
        setattr(org, name, value)
    _raise_first(check_facts({f: getattr(org, f) for f in FACT_FIELDS} | {"pk": org.pk}))
    if "kind" in changes and org.kind != before["kind"]:
        if org.kind in LEAF_KINDS and org.children.exists():
            raise DomainError("该组织有下级组织，不能改为基层工会。", field="kind")
        org.level = derive_level(org.kind, org.parent, root_level=org.level)
    changed = audit.diff(before, audit.snapshot(org, FACT_FIELDS))
    if not changed:
        return org
    org.save()
    if "kind" in changed:
        _rederive_levels(org.path)
    OrgEvent.objects.create(org=org, kind=OrgEvent.Kind.UPDATED, by=by, detail={"fields": sorted(changed)})
    audit.record("update", actor=by, obj=org, changes=changed)
    return org


@transaction.atomic
def move_org(org: Org, *, new_parent: Org, by) -> Org:
    """Re-parent `org` with its whole subtree: one UPDATE of the paths below it, then the levels
    of the moved orgs are derived again from their new ancestors."""
    _lock_tree(org)
    org, new_parent = _fresh(org), _fresh(new_parent)
    _check_actor_above(by, org, "不能调整本账号所属工会的隶属关系，须由上级工会办理。")
    _check_actor_reaches(by, new_parent, "新的上级组织")
    if new_parent.is_within(org):
        raise DomainError("不能把组织调整到它自己或它的下级组织之下。", field="parent")
    if new_parent.status != Org.Status.ACTIVE:
        raise DomainError("新的上级组织已撤销或合并。", field="parent")
    if org.parent_id == new_parent.pk:
        return org
    old_parent = org.parent
    old_path = org.path
    new_path = new_parent.path + path_step(org.pk)
    org.level = derive_level(org.kind, new_parent)
    Org.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr(F("path"), len(old_path) + 1))
    )
    Org.objects.filter(pk=org.pk).update(parent=new_parent, level=org.level)
    _rederive_levels(new_path)
    org.refresh_from_db()
    OrgEvent.objects.create(
        org=org, kind=OrgEvent.Kind.MOVED, by=by,
        detail={"from": old_parent.code if old_parent else None, "to": new_parent.code},
    )
    audit.record("move", actor=by, obj=org, changes={
        "parent": [str(old_parent) if old_parent else None, str(new_parent)]})
    return org


def _rederive_levels(path: str) -> None:
    levels = {}
    changed = []
    for node in Org.objects.filter(path__startswith=path).select_related("parent").order_by("path"):
        parent = node.parent
        if parent is not None and parent.pk in levels:
            parent.level = levels[parent.pk]
        level = node.level if node.path == path else derive_level(node.kind, parent)
        levels[node.pk] = level
        if level != node.level:
            node.level = level
            changed.append(node)
    Org.objects.bulk_update(changed, ["level"], batch_size=1000)


@transaction.atomic
def dissolve_org(org: Org, *, by, on: datetime.date | None = None, reason: str = "") -> Org:
    """撤销: the org stays in the tree with status 撤销; it must have no active children left."""
    org = _fresh(org)
    _check_actor_above(by, org, "不能撤销本账号所属的工会，须由上级工会办理。")
    if org.status != Org.Status.ACTIVE:
        raise DomainError("该组织已撤销或合并。")
    if org.children.filter(status=Org.Status.ACTIVE).exists():
        raise DomainError("该组织还有正常状态的下级组织，请先调整或撤销下级组织。")
    org.status = Org.Status.DISSOLVED
    org.closed_on = on or datetime.date.today()
    org.save(update_fields=["status", "closed_on", "updated_at"])
    OrgEvent.objects.create(org=org, kind=OrgEvent.Kind.DISSOLVED, by=by,
                            detail={"on": str(org.closed_on), "reason": reason})
    audit.record("dissolve", actor=by, obj=org, changes={"status": ["正常", "撤销"], "reason": reason})
    return org


@transaction.atomic
def merge_org(org: Org, *, into: Org, by, on: datetime.date | None = None) -> Org:
    """合并: `org` is merged into `into`. Its active children move under `into`, its employers are
    covered by `into`, and it stays in the tree with status 合并 pointing at `into`."""
    _lock_tree(org)
    org, into = _fresh(org), _fresh(into)
    _check_actor_above(by, org, "不能把本账号所属的工会并入其他工会，须由上级工会办理。")
    _check_actor_reaches(by, into, "并入的组织")
    if org.pk == into.pk or into.is_within(org):
        raise DomainError("不能并入它自己或它的下级组织。", field="merged_into")
    if org.status != Org.Status.ACTIVE or into.status != Org.Status.ACTIVE:
        raise DomainError("合并双方都必须是正常状态的组织。")
    if org.children.filter(status=Org.Status.ACTIVE).exists() and into.kind in LEAF_KINDS:
        raise DomainError("该组织有下级组织，不能并入基层工会。", field="merged_into")
    for child in org.children.filter(status=Org.Status.ACTIVE):
        move_org(child, new_parent=into, by=by)
    employers = org.employers.update(union=into)
    org.status = Org.Status.MERGED
    org.merged_into = into
    org.closed_on = on or datetime.date.today()
    org.save(update_fields=["status", "merged_into", "closed_on", "updated_at"])
    OrgEvent.objects.create(org=org, kind=OrgEvent.Kind.MERGED, by=by, detail={"into": into.code})
    OrgEvent.objects.create(org=into, kind=OrgEvent.Kind.ABSORBED, by=by, detail={"from": org.code})
    audit.record("merge", actor=by, obj=org, changes={
        "status": ["正常", "合并"], "merged_into": [None, str(into)], "employers_moved": employers})
    return org


EMPLOYER_FIELDS = ["name", "employer_type", "industry", "employee_count", "region_code", "union"]


@transaction.atomic
def upsert_employer(*, by, uscc: str, union: Org | None, **facts) -> tuple[Employer, bool]:
    """Create the employer with credit code `uscc`, or update the one on record; returns (employer,
    created). Facts left out (or an empty name) keep what is on record. An employer covered by a
    union outside the actor's subtree is not taken over."""
    code = uscc_lib.normalize(uscc)
    if msg := uscc_lib.problem(code):
        raise DomainError("单位" + msg, field="employer_uscc")
    _check_actor_reaches(by, union, "所属工会")
    unknown = set(facts) - set(EMPLOYER_FIELDS)
    if unknown:
        raise DomainError(f"不能直接修改字段 {'、'.join(sorted(unknown))}。")
    employer = Employer.objects.select_for_update(of=("self",)).filter(uscc=code).select_related("union").first()
    created = employer is None
    if created:
        employer = Employer(uscc=code)
    elif employer.union is not None and not is_system(by) and not (
            by.org_id and employer.union.is_within(by.org)):
        raise DomainError(f"单位 {code} 已由其他工会覆盖，不在您的管辖范围内。", field="employer_uscc")
    before = {} if created else audit.snapshot(employer, EMPLOYER_FIELDS)
    if not facts.get("name"):
        facts.pop("name", None)
    for name, value in facts.items():
        setattr(employer, name, value)
    employer.union = union
    if not employer.name:
        raise DomainError("单位名称不能为空。", field="employer_name")
    changed = audit.diff(before, audit.snapshot(employer, EMPLOYER_FIELDS))
    if not created and not changed:
        return employer, False
    employer.save()
    audit.record("create" if created else "update", actor=by, obj=employer,
                 changes={"uscc": code, **changed} if created else changed)
    return employer, created


# Many at once: the import's writes. The same rules as the one-at-a-time actions above, the rows read
# and written a batch at a time (one SELECT … FOR UPDATE, one INSERT, one UPDATE of the paths, one INSERT
# of the events and one of the audit entries per batch instead of per org).

@transaction.atomic
def create_orgs(items: list[tuple[Org | None, dict]], *, by) -> list[Org | DomainError]:
    """Create an org per (parent, facts), as `create_org` would: facts checked, each parent re-read under a
    row lock, placement checked, level derived, path computed from the pk, a 成立 event and an audit entry
    each. Returns, per item, the org or the DomainError that refused it (the others are still created)."""
    parents = {o.pk: o for o in Org.objects.select_for_update().filter(
        pk__in={p.pk for p, _ in items if p is not None})}
    taken = set(Org.objects.filter(code__in=[f.get("code") for _, f in items]).values_list("code", flat=True))
    out: list[Org | DomainError] = []
    new: list[Org] = []
    for parent, facts in items:
        parent = parents.get(parent.pk) if parent is not None else None
        try:
            problems = check_facts(facts, code_looked_up=True)
            if facts.get("code") in taken:
                problems.insert(0, ("code", f"组织代码 {facts['code']} 已存在。"))
            _raise_first(problems)
            check_placement(by, parent, facts.get("kind"), new=True)
            org = Org(parent=parent, level=derive_level(facts["kind"], parent), path="", **facts)
        except DomainError as e:
            out.append(e)
            continue
        taken.add(org.code)
        new.append(org)
        out.append(org)
    if not new:
        return out
    ids = _next_ids(len(new))
    if ids:  # the paths are known before the INSERT: no UPDATE of them after
        for org, pk in zip(new, ids, strict=True):
            org.pk, org.path = pk, (org.parent.path if org.parent else "") + path_step(pk)
        Org.objects.bulk_create(new, batch_size=1000)
    else:
        Org.objects.bulk_create(new, batch_size=1000)
        for org in new:
            org.path = (org.parent.path if org.parent else "") + path_step(org.pk)
        Org.objects.bulk_update(new, ["path"], batch_size=1000)
    created_rows(Org, [org.pk for org in new])
    OrgEvent.objects.bulk_create([OrgEvent(org=org, kind=OrgEvent.Kind.CREATED, by=by,
                                           detail={"parent": org.parent.code if org.parent else None})
                                  for org in new], batch_size=1000)
    audit.AuditEntry.objects.bulk_create([audit.build("create", actor=by, obj=org,
                                                      changes=audit.snapshot(org, FACT_FIELDS)) for org in new],
                                         batch_size=1000)
    return out


def _next_ids(count: int) -> list[int]:
    """`count` org ids taken from the table's sequence (PostgreSQL); empty elsewhere (SQLite assigns them at
    the INSERT, and the paths are then written by one UPDATE)."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                       [Org._meta.db_table, count])
        return [pk for pk, in cursor.fetchall()]


@transaction.atomic
def update_orgs(items: list[tuple[Org, dict]], *, by) -> list[Org | DomainError]:
    """Change the facts of each (org, changes), as `update_org` would: the orgs re-read under a row lock,
    reach checked, facts checked, a 变更 event and an audit entry for each org that changed. A change of
    kind (which re-derives levels below) goes through `update_org` itself. Returns, per item, the org or
    the DomainError that refused it."""
    fresh = {o.pk: o for o in Org.objects.select_for_update().filter(pk__in=[o.pk for o, _ in items])}
    taken = dict(Org.objects.filter(code__in=[c.get("code") for _, c in items if c.get("code")])
                 .values_list("code", "pk"))
    out: list[Org | DomainError] = []
    changed_orgs: list[tuple[Org, dict]] = []
    fields: set[str] = set()
    for org, changes in items:
        org = fresh[org.pk]
        try:
            if "kind" in changes and changes["kind"] != org.kind:
                out.append(update_org(org, by=by, **changes))
                continue
            _check_actor_reaches(by, org, "该组织")
            if unknown := set(changes) - set(FACT_FIELDS):
                raise DomainError(f"不能直接修改字段 {'、'.join(sorted(unknown))}。")
            before = audit.snapshot(org, FACT_FIELDS)
            for name, value in changes.items():
                setattr(org, name, value)
            problems = check_facts({f: getattr(org, f) for f in FACT_FIELDS}, code_looked_up=True)
            if taken.get(org.code, org.pk) != org.pk:
                problems.insert(0, ("code", f"组织代码 {org.code} 已存在。"))
            _raise_first(problems)
        except DomainError as e:
            out.append(e)
            continue
        changed = audit.diff(before, audit.snapshot(org, FACT_FIELDS))
        if changed:
            changed_orgs.append((org, changed))
            fields.update(changed)
        out.append(org)
    if not changed_orgs:
        return out
    now = timezone.now()
    for org, _ in changed_orgs:
        org.updated_at = now
    with changing_rows(Org, [o.pk for o, _ in changed_orgs]):
        Org.objects.bulk_update([o for o, _ in changed_orgs], sorted(fields) + ["updated_at"], batch_size=1000)
    OrgEvent.objects.bulk_create([OrgEvent(org=org, kind=OrgEvent.Kind.UPDATED, by=by,
                                           detail={"fields": sorted(changed)}) for org, changed in changed_orgs],
                                 batch_size=1000)
    audit.AuditEntry.objects.bulk_create([audit.build("update", actor=by, obj=org, changes=changed)
                                          for org, changed in changed_orgs], batch_size=1000)
    return out


def employer_problems(items: list[tuple[str, Org | None, dict]], *, by) -> list[DomainError | None]:
    """What `upsert_employers` would refuse for each (uscc, union, facts), read in one query, so that the
    import can reject a row before writing its org."""
    codes = [uscc_lib.normalize(u) for u, _, _ in items]
    on_record = {e.uscc: e for e in Employer.objects.filter(uscc__in=codes).select_related("union")}
    out: list[DomainError | None] = []
    named = set()
    for code, (_, union, facts) in zip(codes, items, strict=True):
        try:
            _check_employer(by, code, union, on_record.get(code), facts, named=code in named)
        except DomainError as e:
            out.append(e)
            continue
        named.add(code)
        out.append(None)
    return out


def _check_employer(by, code: str, union: Org | None, employer: Employer | None, facts: dict, *,
                    named: bool) -> None:
    """`upsert_employer`'s rules for one employer (`named`: an earlier item of the batch gives it its name)."""
    if msg := uscc_lib.problem(code):
        raise DomainError("单位" + msg, field="employer_uscc")
    _check_actor_reaches(by, union, "所属工会")
    if unknown := set(facts) - set(EMPLOYER_FIELDS):
        raise DomainError(f"不能直接修改字段 {'、'.join(sorted(unknown))}。")
    if employer is not None and employer.union is not None and not is_system(by) and not (
            by.org_id and employer.union.is_within(by.org)):
        raise DomainError(f"单位 {code} 已由其他工会覆盖，不在您的管辖范围内。", field="employer_uscc")
    if not facts.get("name") and not named and (employer is None or not employer.name):
        raise DomainError("单位名称不能为空。", field="employer_name")


@transaction.atomic
def upsert_employers(items: list[tuple[str, Org, dict]], *, by) -> None:
    """`upsert_employer` for each (uscc, union, facts) in order, the employers read under a row lock in one
    query and written with one INSERT and one UPDATE; an audit entry for each created or changed one.
    Raises DomainError (nothing written) if any is refused: callers check first (`employer_problems`)."""
    codes = [uscc_lib.normalize(u) for u, _, _ in items]
    on_record = {e.uscc: e for e in Employer.objects.select_for_update(of=("self",))
                 .filter(uscc__in=codes).select_related("union")}
    created: dict[str, Employer] = {}
    updated: dict[str, Employer] = {}
    entries: list[tuple[str, Employer, dict]] = []
    for code, (_, union, facts) in zip(codes, items, strict=True):
        employer = created.get(code) or on_record.get(code)
        _check_employer(by, code, union, employer, facts, named=False)
        new = employer is None
        if new:
            employer = created[code] = Employer(uscc=code)
        before = {} if new else audit.snapshot(employer, EMPLOYER_FIELDS)
        facts = {k: v for k, v in facts.items() if k != "name" or v}
        for name, value in facts.items():
            setattr(employer, name, value)
        employer.union = union
        changed = audit.diff(before, audit.snapshot(employer, EMPLOYER_FIELDS))
        if new:
            entries.append(("create", employer, {"uscc": code, **changed}))
        elif changed:
            if code not in created:
                updated[code] = employer
            entries.append(("update", employer, changed))
    Employer.objects.bulk_create(list(created.values()), batch_size=1000)
    if updated:
        Employer.objects.bulk_update(list(updated.values()), EMPLOYER_FIELDS, batch_size=1000)
    audit.AuditEntry.objects.bulk_create([audit.build(action, actor=by, obj=employer, changes=changes)
                                          for action, employer, changes in entries], batch_size=1000)
