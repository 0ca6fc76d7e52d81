"""Organization figures (orgs.*) for the statistics registry: over an org's subtree and a period."""

from django.db.models import Count, Q

from gonghui.orgs.models import Employer, Org

from ..registry import figure

LEAF = [Org.Kind.GRASSROOTS, Org.Kind.JOINT]


def _unions(org):
    return Org.objects.subtree(org).active()


def _rate(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 2) if whole else None


@figure("orgs.unions_total", label="工会组织总数", unit="个")
def unions_total(org, start, end):
    return _unions(org).count()


def _by_kind(kind):
    def count(org, start, end):
        return _unions(org).filter(kind=kind).count()
    return count


for _kind in Org.Kind:
    figure(f"orgs.unions_{_kind.value}", label=f"{_kind.label}数", unit="个")(_by_kind(_kind.value))


@figure("orgs.grassroots_total", label="基层工会数（含联合基层工会）", unit="个")
def grassroots_total(org, start, end):
    return _unions(org).filter(kind__in=LEAF).count()


@figure("orgs.unions_new", label="期内新建工会组织", unit="个")
def unions_new(org, start, end):
    return Org.objects.subtree(org).filter(founded_on__range=(start, end)).count()


@figure("orgs.unions_closed", label="期内撤销或合并的工会组织", unit="个")
def unions_closed(org, start, end):
    return Org.objects.subtree(org).filter(closed_on__range=(start, end)).exclude(status=Org.Status.ACTIVE).count()


def _employers(org):
    return Employer.objects.filter(Employer.scope_q(org))


@figure("orgs.employers_100plus", label="百人以上用人单位", unit="家")
def employers_100plus(org, start, end):
    return _employers(org).filter(employee_count__gte=100).count()


@figure("orgs.employers_100plus_unionized", label="百人以上用人单位中已建会", unit="家")
def employers_100plus_unionized(org, start, end):
    return _employers(org).filter(employee_count__gte=100, union__status=Org.Status.ACTIVE).count()


@figure("orgs.employers_100plus_rate", label="百人以上企业建会率", unit="%")
def employers_100plus_rate(org, start, end):
    return _rate(employers_100plus_unionized(org, start, end), employers_100plus(org, start, end))


def _leaf_counts(org):
    return _unions(org).filter(kind__in=LEAF).aggregate(
        total=Count("pk"), congress=Count("pk", filter=Q(has_congress=True)),
        disclosure=Count("pk", filter=Q(has_disclosure=True)),
    )


@figure("orgs.congress_rate", label="职代会建制率", unit="%")
def congress_rate(org, start, end):
    c = _leaf_counts(org)
    return _rate(c["congress"], c["total"])


@figure("orgs.disclosure_rate", label="厂务公开建制率", unit="%")
def disclosure_rate(org, start, end):
    c = _leaf_counts(org)
    return _rate(c["disclosure"], c["total"])
