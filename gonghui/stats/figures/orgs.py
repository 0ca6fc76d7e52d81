"""Organization figures (orgs.*) for the statistics registry: over an org's subtree and a period.

A union counts from its founding day (建会日期; always, when none is recorded) until the day it was dissolved or
merged (撤销/合并日期), in the place it holds in the tree today. Its kind and its 职代会/厂务公开 flags are the
current ones.

An employer of the registry belongs to exactly one place: its union when it has one, otherwise the federation
that organises its region (the shallowest federation with the employer's region code), so a child's figures add
up to its parent's."""

import datetime

from django.db.models import Count, Q, Value
from django.db.models.functions import Coalesce, Greatest

from gonghui.orgs.models import Employer, Org

from .. import rollups
from ..registry import Flow, Ratio, Stock, figure

LEAF = [Org.Kind.GRASSROOTS, Org.Kind.JOINT]
EPOCH = Value(rollups.EPOCH)


def _active_at(end: datetime.date) -> Q:
    return ((Q(founded_on__lte=end) | Q(founded_on__isnull=True))
            & (Q(status=Org.Status.ACTIVE) | Q(closed_on__gt=end)))


def _unions(org, end):
    return Org.objects.subtree(org).filter(_active_at(end))


_STANDING = {"orgs.active": Count("pk"), "orgs.leaves": Count("pk", filter=Q(kind__in=LEAF)),
             "orgs.leaves_congress": Count("pk", filter=Q(kind__in=LEAF, has_congress=True)),
             "orgs.leaves_disclosure": Count("pk", filter=Q(kind__in=LEAF, has_disclosure=True))}
_FOUNDED = Coalesce("founded_on", EPOCH)
_ENDED = Coalesce(Greatest("closed_on", "founded_on"), "closed_on", "founded_on", EPOCH)


def _orgs(pks):
    return Org.objects.filter(rollups.subjects("pk", pks))


def _closed(pks):
    return _orgs(pks).exclude(status=Org.Status.ACTIVE)


rollups.source("orgs", Org, [
    rollups.Part(_orgs, org="id", day=_FOUNDED, counters=_STANDING),
    rollups.Part(_closed, org="id", day=_ENDED, counters=_STANDING, sign=-1),
    rollups.Part(_orgs, org="id", day=_FOUNDED, counters={"orgs.active": Count("pk")}, split="kind"),
    rollups.Part(_closed, org="id", day=_ENDED, counters={"orgs.active": Count("pk")}, split="kind", sign=-1),
    rollups.Part(lambda pks: _orgs(pks).filter(founded_on__isnull=False), org="id", day="founded_on",
                 counters={"orgs.new": Count("pk")}),
    rollups.Part(lambda pks: _closed(pks).filter(closed_on__isnull=False), org="id", day="closed_on",
                 counters={"orgs.closed": Count("pk")}),
], watch={Org: "pk"})

_AT_END = "期末时已建立且未撤销、未合并的"


@figure("orgs.unions_total", label="工会组织总数", unit="个", tally=Stock("orgs.active"),
        definition=f"{_AT_END}各级工会组织数（含本级）。")
def unions_total(org, start, end):
    return _unions(org, end).count()


def _by_kind(kind):
    def count(org, start, end):
        return _unions(org, end).filter(kind=kind).count()
    return count


for _kind in Org.Kind:
    figure(f"orgs.unions_{_kind.value}", label=f"{_kind.label}数", unit="个", tally=Stock(f"orgs.active:{_kind.value}"),
           definition=f"{_AT_END}{_kind.label}数。")(_by_kind(_kind.value))


@figure("orgs.grassroots_total", label="基层工会数（含联合基层工会）", unit="个", tally=Stock("orgs.leaves"),
        definition=f"{_AT_END}基层工会与联合基层工会数。")
def grassroots_total(org, start, end):
    return _unions(org, end).filter(kind__in=LEAF).count()


@figure("orgs.unions_new", label="期内新建工会组织", unit="个", tally=Flow("orgs.new"),
        definition="建会日期在期内的工会组织数（含此后已撤销或合并的）。")
def unions_new(org, start, end):
    return Org.objects.subtree(org).filter(founded_on__range=(start, end)).count()


@figure("orgs.unions_closed", label="期内撤销或合并的工会组织", unit="个", tally=Flow("orgs.closed"),
        definition="撤销或合并日期在期内、现已不再存续的工会组织数。")
def unions_closed(org, start, end):
    return Org.objects.subtree(org).filter(closed_on__range=(start, end)).exclude(status=Org.Status.ACTIVE).count()


def _places(org) -> Q:
    """Employers whose place (see the module docstring) is in org's subtree."""
    territory = {}
    for code, path in (Org.objects.filter(kind=Org.Kind.FEDERATION).exclude(region_code="")
                       .values_list("region_code", "path").order_by("path")):
        if code not in territory or len(path) < len(territory[code]):
            territory[code] = path
    mine = sorted(code for code, path in territory.items() if path.startswith(org.path))
    return Q(union__path__startswith=org.path) | Q(union__isnull=True, region_code__in=mine)


def _employers(org):
    return Employer.objects.filter(_places(org))


@figure("orgs.employers_100plus", label="百人以上用人单位", unit="家",
        definition="职工100人以上的用人单位数：已建会的计入其工会，未建会的计入其所在行政区划的最上一级地方工会。")
def employers_100plus(org, start, end):
    return _employers(org).filter(employee_count__gte=100).count()


@figure("orgs.employers_100plus_unionized", label="百人以上用人单位中已建会", unit="家",
        definition="职工100人以上、所属工会现存续的用人单位数，计入其工会。")
def employers_100plus_unionized(org, start, end):
    return _employers(org).filter(employee_count__gte=100, union__status=Org.Status.ACTIVE).count()


def _rate(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 2) if whole else None


@figure("orgs.employers_100plus_rate", label="百人以上企业建会率", unit="%",
        tally=Ratio("orgs.employers_100plus_unionized", "orgs.employers_100plus"),
        definition="百人以上用人单位中已建会的家数占百人以上用人单位家数的百分比。")
def employers_100plus_rate(org, start, end):
    return _rate(employers_100plus_unionized(org, start, end), employers_100plus(org, start, end))


@figure("orgs.leaves_congress", label="已建立职代会的基层工会", unit="个", tally=Stock("orgs.leaves_congress"),
        definition=f"{_AT_END}基层工会（含联合基层工会）中已建立职代会制度的个数。")
def leaves_congress(org, start, end):
    return _unions(org, end).filter(kind__in=LEAF, has_congress=True).count()


@figure("orgs.leaves_disclosure", label="已实行厂务公开的基层工会", unit="个", tally=Stock("orgs.leaves_disclosure"),
        definition=f"{_AT_END}基层工会（含联合基层工会）中已实行厂务公开的个数。")
def leaves_disclosure(org, start, end):
    return _unions(org, end).filter(kind__in=LEAF, has_disclosure=True).count()


@figure("orgs.congress_rate", label="职代会建制率", unit="%",
        tally=Ratio("orgs.leaves_congress", "orgs.grassroots_total"),
        definition="已建立职代会的基层工会占基层工会（含联合基层工会）的百分比。")
def congress_rate(org, start, end):
    return _rate(leaves_congress(org, start, end), grassroots_total(org, start, end))


@figure("orgs.disclosure_rate", label="厂务公开建制率", unit="%",
        tally=Ratio("orgs.leaves_disclosure", "orgs.grassroots_total"),
        definition="已实行厂务公开的基层工会占基层工会（含联合基层工会）的百分比。")
def disclosure_rate(org, start, end):
    return _rate(leaves_disclosure(org, start, end), grassroots_total(org, start, end))
