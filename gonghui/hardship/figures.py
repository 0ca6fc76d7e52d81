"""Figures of hardship relief (`hardship.`) over an org's subtree and a period [start, end]:

- ``hardship.on_file`` and its breakdown by level (全国级/省级/市级/县级) and category (深度困难/相对困难/
  意外致困): the households on file **at `end`**, counted in the union that opened the file (建档工会):
  opened on or before `end` and not exited by then (exit date after `end`, or still open). Level and
  category are the file's current ones (a review that changed the category counts back in time too).
- ``hardship.opened`` / ``hardship.exited`` (and ``exited_relieved``, 解困脱困): files opened / exited in
  the period.
- ``hardship.paired``: households on file at `end` with a paired cadre (结对帮扶; the current pairing).
- ``hardship.helped``: distinct members whose aid entries (ledger `Entry` of a kind of program "aid")
  paid in the period add up to more than nothing, in the subtree of the paying union (`Entry.org`).
- ``hardship.aid_amount``, ``hardship.aid_<kind code>`` and ``hardship.aid_from_<source code>``: the aid
  paid in the period in 万元 (two places, half up, as the reports print them), net of reversals: a
  reversal entry counts on its own date (as the union's running book counts it), so a payment reversed
  in a later period stays in its own period's figure and is taken off the later one.

`aid_rows()` gives the same amounts for every kind or fund source configured, seeded or not."""

from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, Greatest

from gonghui.common.money import wan
from gonghui.ledger.models import Entry, FundSource, PaymentKind
from gonghui.stats import rollups
from gonghui.stats.registry import Flow, Stock, figure

from .models import HardshipFile

# The seeded kinds and sources (ledger migration 0002) get a figure each; others are in aid_rows.
SEEDED_KINDS = ("living", "medical", "serious_illness", "education", "warmth", "employment")
SEEDED_SOURCES = ("central", "provincial", "union", "donation")
# breakdown name → (label part, condition on a file)
BREAKDOWN = {
    "": ("", Q()),
    **{value: (label, Q(level=value)) for value, label in HardshipFile.Level.choices},
    **{value: (label, Q(category=value)) for value, label in HardshipFile.Category.choices},
}


def _files(org):
    return HardshipFile.objects.filter(org__path__startswith=org.path)


def _on_file_q(end) -> Q:
    return Q(opened_on__lte=end) & (Q(exit_on__isnull=True) | Q(exit_on__gt=end))


def on_file_at(org, end) -> dict[str, int]:
    """{breakdown ("total", a level, a category, "paired"): households on file at `end`}, in one query."""
    counts = {name or "total": Count("pk", filter=condition) for name, (_, condition) in BREAKDOWN.items()}
    return _files(org).filter(_on_file_q(end)).aggregate(**counts, paired=Count("pk", filter=Q(
        paired_cadre__isnull=False)))


def _aid(org, start, end):
    """Aid entries (payments and reversals) paid in the period by unions of the subtree."""
    return Entry.objects.filter(org__path__startswith=org.path, paid_on__range=(start, end),
                                kind__program="aid")


def _of_which(label: str, part: str) -> str:
    return f"{label}：其中{part}" if part else label


# The rollups: a file is on record from its opening day to its exit day; aid is counted in fen.
def _on_file_counter(name: str) -> str:
    return f"hardship.files_{name}" if name else "hardship.files"


_ON_FILE = {_on_file_counter(n): Count("pk", filter=c) for n, (_, c) in BREAKDOWN.items()} | {
    "hardship.files_paired": Count("pk", filter=Q(paired_cadre__isnull=False))}


def _file_rows(pks):
    return HardshipFile.objects.filter(rollups.subjects("pk", pks))


rollups.source("hardship", HardshipFile, [
    rollups.Part(_file_rows, org="org_id", day="opened_on", counters=_ON_FILE | {"hardship.opened": Count("pk")}),
    rollups.Part(lambda pks: _file_rows(pks).filter(exit_on__isnull=False), org="org_id",
                 day=Coalesce(Greatest("exit_on", "opened_on"), "opened_on"), counters=_ON_FILE, sign=-1),
    rollups.Part(lambda pks: _file_rows(pks).filter(exit_on__isnull=False), org="org_id", day="exit_on",
                 counters={"hardship.exited": Count("pk"), "hardship.exited_relieved": Count(
                     "pk", filter=Q(exit_reason=HardshipFile.ExitReason.RELIEVED))}),
], watch={HardshipFile: "pk"})


def _aid_rows(pks):
    return Entry.objects.filter(rollups.subjects("pk", pks), kind__program="aid")


_FEN = {"hardship.aid": Sum(F("amount") * 100)}
rollups.source("hardship_aid", Entry, [
    rollups.Part(_aid_rows, org="org_id", day="paid_on", counters=_FEN),
    rollups.Part(_aid_rows, org="org_id", day="paid_on", counters=_FEN, split="kind__code"),
    rollups.Part(_aid_rows, org="org_id", day="paid_on", counters={"hardship.aid_from": Sum(F("amount") * 100)},
                 split="fund_source__code"),
], watch={Entry: "pk"})

_AT_END = "期末在档：建档日期不晚于期末、期末时尚未退出的困难职工档案户数，计入建档工会"
for _name, (_part, _) in BREAKDOWN.items():
    _key = _name or "total"
    figure(f"hardship.on_file_{_name}" if _name else "hardship.on_file",
           label=_of_which("期末在档困难职工", _part), unit="户", tally=Stock(_on_file_counter(_name)),
           definition=f"{_AT_END}{'（' + _part + '）' if _part else ''}。")(
        lambda org, start, end, k=_key: on_file_at(org, end)[k])


@figure("hardship.opened", label="期内新建档困难职工", unit="户", tally=Flow("hardship.opened"),
        definition="建档日期在期内的困难职工档案户数，计入建档工会。")
def opened(org, start, end) -> int:
    return _files(org).filter(opened_on__range=(start, end)).count()


@figure("hardship.exited", label="期内退出困难职工档案", unit="户", tally=Flow("hardship.exited"),
        definition="退出日期在期内的困难职工档案户数，计入建档工会。")
def exited(org, start, end) -> int:
    return _files(org).filter(exit_on__range=(start, end)).count()


@figure("hardship.exited_relieved", label="期内退出困难职工档案：其中解困脱困", unit="户",
        tally=Flow("hardship.exited_relieved"), definition="期内因解困脱困退出档案的户数，计入建档工会。")
def exited_relieved(org, start, end) -> int:
    return _files(org).filter(exit_on__range=(start, end), exit_reason=HardshipFile.ExitReason.RELIEVED).count()


@figure("hardship.paired", label="期末已结对帮扶困难职工", unit="户", tally=Stock("hardship.files_paired"),
        definition="期末在档且现有结对帮扶干部的困难职工户数，计入建档工会。")
def paired(org, start, end) -> int:
    return on_file_at(org, end)["paired"]


@figure("hardship.helped", label="期内受帮扶困难职工", unit="户", additive=False,
        definition="期内本组织范围内各工会发放的帮扶资金（冲销后）合计大于零的会员户数，每户只计一次。")
def helped(org, start, end) -> int:
    """Distinct members with a net positive sum of aid paid in the period (a payment reversed within the
    period helped nobody)."""
    return _aid(org, start, end).values("member").annotate(net=Sum("amount")).filter(net__gt=0).count()


@figure("hardship.aid_amount", label="期内发放帮扶资金", unit="万元", tally=Flow("hardship.aid", money=True),
        definition="期内各工会发放的帮扶资金合计（冲销计入冲销当日），单位万元，保留两位小数。")
def aid_amount(org, start, end) -> Decimal:
    return wan(_aid(org, start, end).aggregate(s=Sum("amount"))["s"])


def aid_of_kind(org, start, end, code: str) -> Decimal:
    return wan(_aid(org, start, end).filter(kind__code=code).aggregate(s=Sum("amount"))["s"])


def aid_from_source(org, start, end, code: str) -> Decimal:
    return wan(_aid(org, start, end).filter(fund_source__code=code).aggregate(s=Sum("amount"))["s"])


_KIND_LABELS = {"living": "生活救助", "medical": "医疗救助", "serious_illness": "大病救助",
                "education": "助学（金秋助学）", "warmth": "送温暖", "employment": "就业帮扶"}
_SOURCE_LABELS = {"central": "中央财政帮扶资金", "provincial": "省级财政", "union": "工会经费", "donation": "社会捐赠"}
for _code in SEEDED_KINDS:
    figure(f"hardship.aid_{_code}", label=f"期内发放帮扶资金：其中{_KIND_LABELS[_code]}", unit="万元",
           tally=Flow(f"hardship.aid:{_code}", money=True),
           definition=f"期内发放的{_KIND_LABELS[_code]}资金合计（冲销后），单位万元。")(
        lambda org, start, end, c=_code: aid_of_kind(org, start, end, c))
for _code in SEEDED_SOURCES:
    figure(f"hardship.aid_from_{_code}", label=f"期内发放帮扶资金：其中来自{_SOURCE_LABELS[_code]}", unit="万元",
           tally=Flow(f"hardship.aid_from:{_code}", money=True),
           definition=f"期内发放的帮扶资金中来自{_SOURCE_LABELS[_code]}的合计（冲销后），单位万元。")(
        lambda org, start, end, c=_code: aid_from_source(org, start, end, c))


def aid_rows(org, start, end, field: str) -> list[dict]:
    """Aid paid in the period per aid kind (`field` "kind", 帮扶类别) or per fund source ("fund_source", 资金来源),
    configured ones included: [{code, name, yuan, wan, entries, households}], one row per option (in its
    order) with any aid entry in the period — amount in 元 and 万元, entries (payments and reversals) and
    households helped (net positive)."""
    options = {"kind": PaymentKind.objects.filter(program="aid"),
               "fund_source": FundSource.objects.all()}[field]
    entries = _aid(org, start, end)
    totals = {r[field]: r for r in entries.values(field).annotate(yuan=Sum("amount"), n=Count("pk"))}
    helped_by: dict[int, int] = {}
    for key in entries.values(field, "member").annotate(net=Sum("amount")).filter(net__gt=0) \
            .values_list(field, flat=True):
        helped_by[key] = helped_by.get(key, 0) + 1
    rows = []
    for option in options:
        if option.pk not in totals:
            continue
        yuan = totals[option.pk]["yuan"]
        rows.append({"code": option.code, "name": option.name, "yuan": yuan, "wan": wan(yuan),
                     "entries": totals[option.pk]["n"], "households": helped_by.get(option.pk, 0)})
    return rows
