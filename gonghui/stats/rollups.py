"""The rollups behind the figures: counters per organization and day, kept in the writing transaction.

A *source* says how a kind of record (its *subject*: a member with its timeline, an application, a file, a
ledger entry…) contributes to named counters: a list of *parts*, each a queryset of the subject's rows grouped
by organization and day, with a count or a sum per counter and a sign. The subject's contributions are the sum
of its parts' rows. Every change to a subject is applied as the difference of its contributions after and
before (`changing`), so one definition serves the incremental path, the batch path (`added`, per import batch)
and the rebuild from the records (`rebuild`): they cannot disagree.

A part's rows are grouped in the database (one query per part, over any number of subjects), which is what
keeps an import batch of a thousand members to a handful of queries.

Saves and deletes through the ORM are followed by signal receivers on each source's watched models; writes
that bypass signals (bulk_create, COPY, queryset.update) call `changing` or `added` themselves.

The cells are `Tally` rows at three grains (day, month, all time): a period's flow sums the day cells of its
partial months and the month cells of its whole months; a stock at a date is the all-time cell less what came
after the date.
"""

import contextlib
import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import connection, models, transaction
from django.db.models import Q, Sum
from django.db.models.functions import Substr
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from .models import Tally

EPOCH = datetime.date(1, 1, 1)  # the day of the all-time cells, and of a contribution with no date
G = Tally.Grain
Cells = dict[tuple[str, int, datetime.date], int]  # (counter, org id, day) → value


@dataclass(frozen=True)
class Part:
    """Rows of a source's subjects, grouped by `org` and `day` (field names or expressions on `rows`'s model),
    each `counters` entry (counter key → aggregate, e.g. Count("pk", filter=…)) added with `sign`.
    `rows(pks)` narrows to the subjects `pks` (None: all of them). `split`, a field of the rows, makes one
    counter per value: key + ":" + value."""

    rows: Callable[[list | None], models.QuerySet]
    org: str | models.Expression
    day: str | models.Expression
    counters: dict[str, models.Aggregate]
    sign: int = 1
    split: str | None = None


@dataclass
class Source:
    name: str
    subject: type[models.Model]  # whose ids name the subjects
    parts: list[Part]
    # model → how a row of it names its subject (an attribute, or a function of the row)
    watch: dict[type[models.Model], str | Callable] = field(default_factory=dict)

    def counters(self) -> set[str]:
        return {key for part in self.parts for key in part.counters}


SOURCES: dict[str, Source] = {}


def source(name: str, subject: type[models.Model], parts: list[Part], *, watch: dict) -> Source:
    """Register a source; its watched models' saves and deletes keep its counters."""
    if name in SOURCES:
        raise ValueError(f"统计来源 {name} 重复注册。")
    SOURCES[name] = src = Source(name, subject, parts, watch)
    for model in watch:
        _follow(model)
    return src


@dataclass(frozen=True)
class Span:
    """Subjects by id range [low, high): how a rebuild walks millions of them."""

    low: int
    high: int


def subjects(field_name: str, pks) -> Q:
    """The condition for subjects `pks` (a list, a Span, or None for all) on `field_name`."""
    if pks is None:
        return Q()
    if isinstance(pks, Span):
        return Q(**{f"{field_name}__gte": pks.low, f"{field_name}__lt": pks.high})
    return Q(**{f"{field_name}__in": pks})


def contributions(src: Source | str, pks: Iterable | Span | None) -> Cells:
    """{(counter, org id, day): value} of subjects `pks` (a list, a Span, None: all)."""
    src = SOURCES[src] if isinstance(src, str) else src
    if pks is not None and not isinstance(pks, Span):
        pks = sorted(set(pks))
        if len(pks) > 1 and pks[-1] - pks[0] + 1 == len(pks):
            # Ids without a gap (an import batch's, from the sequence) are exactly a range: a range scan,
            # and no list of thousands of parameters to send.
            pks = Span(pks[0], pks[-1] + 1)
    cells: Cells = defaultdict(int)
    if pks == []:
        return cells
    for part in src.parts:
        for chunk in _chunks(pks):
            qs = part.rows(chunk)
            group = {"_org": _expr(part.org), "_day": _expr(part.day)}
            if part.split:
                group["_split"] = models.F(part.split)
            rows = qs.values(**group).annotate(**{_col(k): agg for k, agg in part.counters.items()})
            for row in rows.values_list("_org", "_day", *(["_split"] if part.split else []),
                                        *map(_col, part.counters)):
                org, day = row[0], row[1] or EPOCH
                if org is None:
                    continue
                values = row[3:] if part.split else row[2:]
                for key, value in zip(part.counters, values, strict=True):
                    if value:
                        name = f"{key}:{row[2]}" if part.split else key
                        cells[name, org, _as_date(day)] += part.sign * int(round(value))
    return cells


def apply(cells: Cells) -> None:
    """Add `cells` to the rollups, at every grain, in the current transaction."""
    grained: dict[tuple, int] = defaultdict(int)
    for (key, org, day), value in cells.items():
        if value:
            grained[G.DAY, key, day, org] += value
            grained[G.MONTH, key, day.replace(day=1), org] += value
            grained[G.ALL, key, EPOCH, org] += value
    rows = sorted((*k, v) for k, v in grained.items() if v)  # one order for every writer: no deadlocks
    if not rows:
        return
    table = connection.ops.quote_name(Tally._meta.db_table)
    # Django's bulk_create(update_conflicts=True) can only overwrite a cell; a counter must be added to.
    upsert = f"ON CONFLICT (grain, key, day, org_id) DO UPDATE SET value = {table}.value + excluded.value"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement from five arrays: an import batch's thousands of cells in milliseconds.
            columns = list(zip(*rows, strict=True))
            cursor.execute(
                f"INSERT INTO {table} (grain, key, day, org_id, value) SELECT * FROM unnest("
                f"%s::smallint[], %s::varchar[], %s::date[], %s::bigint[], %s::bigint[]) {upsert}",
                [list(c) for c in columns])
        else:
            cursor.executemany(f"INSERT INTO {table} (grain, key, day, org_id, value) VALUES (%s, %s, %s, %s, %s) "
                               f"{upsert}", rows)


def difference(after: Cells, before: Cells) -> Cells:
    out: Cells = defaultdict(int, after)
    for cell, value in before.items():
        out[cell] -= value
    return out


@contextlib.contextmanager
def changing(src: Source | str, pks: Iterable):
    """Around a write that changes subjects `pks` of `src` without signals (queryset.update, bulk writes):
    their contributions after less before go into the rollups, in the same transaction."""
    pks = list(pks)
    with transaction.atomic():
        before = contributions(src, pks)
        yield
        apply(difference(contributions(src, pks), before))


def added(src: Source | str, pks: Iterable) -> None:
    """New subjects `pks` written without signals (an import batch): add their contributions."""
    apply(contributions(src, pks))


def rebuild(*, say: Callable[[str], None] | None = None) -> int:
    """Recreate every rollup from the records, in one transaction; the number of cells written."""
    with transaction.atomic():
        Tally.objects.all().delete()
        for src in SOURCES.values():
            model = src.subject
            bounds = model.objects.aggregate(low=models.Min("pk"), high=models.Max("pk"))
            if bounds["low"] is None:
                continue
            for low in range(bounds["low"], bounds["high"] + 1, REBUILD_CHUNK):
                apply(contributions(src, Span(low, low + REBUILD_CHUNK)))
            if say:
                say(f"已重建统计来源 {src.name}。")
        return Tally.objects.count()


REBUILD_CHUNK = 200_000  # subjects per round: each part is one range-scanning query per round


# --- sums over a subtree ---------------------------------------------------------------------------------------


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _span(start: datetime.date, end: datetime.date) -> Q:
    """The cells that make up the days [start, end] exactly once: day cells of the partial months at either end,
    month cells of the whole months between."""
    if start > end:
        return Q(pk__in=[])
    first_whole = start if start.day == 1 else _next_month(start)
    after_last_whole = _next_month(end) if _next_month(end) - datetime.timedelta(days=1) == end else _month_start(end)
    if first_whole >= after_last_whole:  # no whole month inside
        return Q(grain=G.DAY, day__range=(start, end))
    q = Q(grain=G.MONTH, day__gte=first_whole, day__lt=after_last_whole)
    if start < first_whole:
        q |= Q(grain=G.DAY, day__gte=start, day__lt=first_whole)
    if end >= after_last_whole:
        q |= Q(grain=G.DAY, day__gte=after_last_whole, day__lte=end)
    return q


def _after(day: datetime.date) -> Q:
    """The cells of the days after `day`, each once."""
    nxt = _next_month(day)
    return Q(grain=G.DAY, day__gt=day, day__lt=nxt) | Q(grain=G.MONTH, day__gte=nxt)


def sums(path: str, start: datetime.date, end: datetime.date, *, flows: set[str], stocks: set[str],
         by_child: int | None = None) -> dict:
    """{("flow", counter): sum over the days [start, end]} and {("stock", counter): value at the end of `end`}
    over the organizations whose path starts with `path`, in one query. With `by_child` (the length of a
    child's path), {child path: {…}} instead, the organization's own union under its own path."""
    if not flows and not stocks:
        return {}
    flow_q, after_q = _span(start, end), _after(end)
    cond = Q()
    if flows:
        cond |= Q(key__in=sorted(flows)) & flow_q
    if stocks:
        cond |= Q(key__in=sorted(stocks)) & (Q(grain=G.ALL) | after_q)
    rows = Tally.objects.filter(cond, org__path__startswith=path)
    group = ["key"]
    if by_child:
        rows = rows.annotate(child=Substr("org__path", 1, by_child))
        group.append("child")
    rows = rows.values(*group).annotate(
        flow=Sum(models.Case(models.When(flow_q, then="value"), default=0)),
        later=Sum(models.Case(models.When(after_q, then="value"), default=0)),
        ever=Sum(models.Case(models.When(grain=G.ALL, then="value"), default=0)))
    out: dict = defaultdict(dict)
    for row in rows:
        into = out[row["child"]] if by_child else out
        if row["key"] in flows:
            into["flow", row["key"]] = int(row["flow"])
        if row["key"] in stocks:
            into["stock", row["key"]] = int(row["ever"]) - int(row["later"])
    return dict(out)


# --- following saves and deletes -------------------------------------------------------------------------------

_followed: set = set()


def _subject_of(row, how) -> object:
    return how(row) if callable(how) else getattr(row, "pk" if how == "pk" else how)


def _watchers(model) -> list[tuple[Source, str | Callable]]:
    return [(src, src.watch[model]) for src in SOURCES.values() if model in src.watch]


def _before(sender, instance, **kwargs):
    if kwargs.get("raw"):
        return
    stash = {}
    for src, how in _watchers(sender):
        subject = _subject_of(instance, how) if instance.pk is not None or how != "pk" else None
        old = None
        if instance.pk is not None and how != "pk":
            # The stored row may name another subject (a reassigned member): take that one's part away too.
            stored = sender._default_manager.filter(pk=instance.pk).first()
            old = _subject_of(stored, how) if stored is not None else None
        subjects = {s for s in (subject, old) if s is not None}
        stash[src.name] = (subjects, contributions(src, subjects) if subjects else {})
    instance._tally_before = stash


def _after_save(sender, instance, **kwargs):
    if kwargs.get("raw"):
        return
    stash = instance.__dict__.pop("_tally_before", {})
    for src, how in _watchers(sender):
        subjects, before = stash.get(src.name, (set(), {}))
        subjects = subjects | {_subject_of(instance, how)}
        apply(difference(contributions(src, subjects), before))


def _after_delete(sender, instance, **kwargs):
    stash = instance.__dict__.pop("_tally_before", {})
    for src, how in _watchers(sender):
        subjects, before = stash.get(src.name, (set(), {}))
        subjects = {s for s in subjects if not (how == "pk" and s == instance.pk)}
        apply(difference(contributions(src, subjects), before))


def _named(model, pks: list, how) -> set:
    """The subjects rows `pks` of `model` name now."""
    if how == "pk":
        return set(pks)
    rows = model._default_manager.filter(pk__in=pks)
    if callable(how):
        return {how(row) for row in rows}
    return set(rows.values_list(how, flat=True))


def on_bulk(model, pks: list, *, new: bool):
    """The listener of `common.changes`: the same as a save of each row, for writes without signals."""
    watchers = _watchers(model)
    if not watchers:
        return None
    named = {src.name: _named(model, pks, how) for src, how in watchers}
    before = {src.name: {} if new else contributions(src, named[src.name]) for src, _ in watchers}

    def done():
        for src, how in watchers:
            # The rows may now name other subjects too (a reassigned member): both sides are recounted.
            subjects = named[src.name] | _named(model, pks, how)
            apply(difference(contributions(src, subjects), before[src.name]))
    return done


def _follow(model) -> None:
    if model in _followed:
        return
    _followed.add(model)
    uid = f"stats-rollups-{model._meta.label}"
    pre_save.connect(_before, sender=model, dispatch_uid=uid + "-pre")
    post_save.connect(_after_save, sender=model, dispatch_uid=uid + "-post")
    pre_delete.connect(_before, sender=model, dispatch_uid=uid + "-predel")
    post_delete.connect(_after_delete, sender=model, dispatch_uid=uid + "-postdel")


# --- small helpers ---------------------------------------------------------------------------------------------


def _col(key: str) -> str:
    return "c_" + key.replace(".", "__").replace(":", "___")


def _expr(value):
    return models.F(value) if isinstance(value, str) else value


def _as_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, str):  # SQLite hands back an expression's date as text
        return datetime.date.fromisoformat(value[:10])
    return value


def _chunks(pks, size: int = 5000):
    if pks is None or isinstance(pks, Span):
        yield pks
        return
    for i in range(0, len(pks), size):
        yield pks[i:i + size]
