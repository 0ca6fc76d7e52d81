"""Demo members: valid, realistic member records for the unions of a demo plan, from the seed.

Every record passes `members.facts.clean`, and reads like a real roll:

- ID numbers (GB 11643): the address code is a county of the union's city (migrant workers: a
  rural county elsewhere in 安徽 or a county of a neighbouring province; some older members still
  carry the code their county had when the card was issued, since retired in GB/T 2260 but kept in
  common.Region), born 1961–2006, a sequence code whose parity is the gender, the check character.
- Names from common surnames and gendered given names; a few minority members (维吾尔族 and 哈萨克族
  names with "·"), ethnicity mostly 汉族; education, political status and household type by the
  kind of employer; ≈ 30 % migrant workers, ≈ 5 % in the eight groups (most in the unions of the
  行业工会联合会 of couriers, riders, truck drivers, domestic and property workers).
- Joined 2000–2026, on or after the 16th birthday and the union's founding; some retired at the
  statutory age, some left or died, some transferred in from a union of the same county, each with
  its timeline events.

A union's members depend only on the seed and the union's code (`random.Random` per union), so the
work can be split between processes in any way. What needs the whole set is left to the caller
(actions._write_members), in the order of `plan_unions`: dropping the ID numbers drawn twice
(≈ 0.13 %) and the member numbers (serials per province and year, numbers.py). Personal data is
encrypted here, by `members.actions.protect`, so the expensive part runs in the worker processes.
"""

import bisect
import dataclasses
import datetime
import itertools
import random
from collections.abc import Iterable
from typing import NamedTuple

from gonghui.common import idcard
from gonghui.members.actions import protect
from gonghui.members.facts import Facts, birthday
from gonghui.members.models import Member, MemberEvent
from gonghui.orgs.models import Org

from .generator import DATA_END, GRASSROOTS_START, SCALES, SURNAMES, Plan

MALE, FEMALE = idcard.MALE, idcard.FEMALE
BIRTH_FIRST, BIRTH_LAST = 1961, 2006
MIN_JOIN_AGE = 16
TASK_MEMBERS = 20_000  # members per unit of work handed to a process

K = Org.Kind
T = Org.EmployerType
S = Member.Status
E = MemberEvent.Kind


class Union(NamedTuple):
    """What the generator needs to know about one union (picklable, sent to worker processes)."""

    pk: int
    code: str
    region: str  # county code
    founded: datetime.date
    industry: str
    employer_type: str
    group: str  # the worker group of its 行业工会联合会, else ""
    count: int  # members to generate
    first_id: int  # primary key of its first member; the others follow
    neighbours: tuple[tuple[int, datetime.date], ...]  # (pk, founded) of unions of the same county


class Regions(NamedTuple):
    """GB/T 2260 county codes the ID numbers are drawn from, all present in common.Region."""

    city: dict[str, tuple[str, ...]]  # current county code → the current counties of its city
    older: dict[str, tuple[str, ...]]  # current county code → retired codes that became it
    rural: tuple[str, ...]  # current counties (县) of 安徽
    outside: tuple[str, ...]  # current counties of the provinces 安徽's migrant workers come from


class Record(NamedTuple):
    id: int
    org_id: int
    name: str
    gender: str
    birth_date: datetime.date
    id_number: str
    mobile: str
    ethnicity: str
    education: str
    political_status: str
    household_type: str
    is_migrant_worker: bool
    worker_group: str
    join_date: datetime.date
    status: str
    status_date: datetime.date | None
    source: str
    events: tuple[tuple[str, datetime.date, int, int | None], ...]  # kind, date, org pk, to_org pk

    def facts(self) -> Facts:
        return Facts(
            name=self.name, doc_type=idcard.RESIDENT, id_number=self.id_number, gender=self.gender,
            birth_date=self.birth_date, mobile=self.mobile, ethnicity=self.ethnicity, education=self.education,
            political_status=self.political_status, household_type=self.household_type,
            is_migrant_worker=self.is_migrant_worker, worker_group=self.worker_group, join_date=self.join_date,
            member_number="",
        )


# ---------------------------------------------------------------------------------------------
# Distributions

COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐", "慕容", "夏侯", "端木")
GIVEN_MALE = ("伟强磊军洋勇杰涛明超刚斌浩凯鹏辉俊峰宇鑫波亮飞龙东林华建国志文平"
              "春立新德胜利忠民安庆荣永长宏振学家瑞祥福金晨阳博轩睿")
GIVEN_FEMALE = "芳娜敏静丽艳娟秀霞桂英玉兰萍红婷雪梅燕琳欣怡佳琪涵雨思颖慧娇凤洁莉晶倩璐蕾薇丹婧婉"
# Minority names: given name · father's name (维吾尔族, 哈萨克族); 藏族 and 蒙古族 names without a dot.
UYGHUR = (("艾力", "买买提", "阿不都", "吐尔逊", "艾合买提", "亚森", "热合曼", "依明", "阿里木", "努尔"),
          ("阿依古丽", "古丽娜尔", "热依拉", "帕提古丽", "迪丽努尔", "米热古丽", "阿娜尔", "祖丽皮亚"))
KAZAKH = (("叶尔兰", "努尔兰", "别克", "达吾提", "叶尔波拉提", "哈力木", "阿斯哈尔"),
          ("阿依达娜", "古丽巴哈尔", "加娜尔", "阿克托里", "努尔古丽"))
TIBETAN = (("扎西", "次仁", "多吉", "顿珠", "格桑", "尼玛", "平措", "旺堆"),
           ("卓玛", "央金", "拉姆", "德吉", "措姆", "白珍", "曲珍", "格桑"))
MONGOL = (("巴特尔", "苏和", "朝鲁", "额尔敦", "宝音", "孟和", "特木尔"),
          ("其木格", "乌云", "斯琴", "萨仁", "高娃", "娜仁", "图雅"))
# 民族 (GB/T 3304 code, weight ‱): 安徽 is 99 % 汉族, 回族 the largest minority.
ETHNICITY = (("01", 9870), ("03", 75), ("11", 10), ("08", 8), ("06", 7), ("15", 6), ("02", 5), ("05", 6),
             ("17", 2), ("04", 3), ("07", 2), ("10", 2), ("22", 2), ("12", 2))
# 学历 (GB/T 4658 code, weight) for migrant workers, other workers and the public sector.
EDUCATION_MIGRANT = (("81", 8), ("71", 47), ("61", 16), ("41", 6), ("44", 4), ("47", 5), ("31", 11), ("21", 3))
EDUCATION_WORKER = (("81", 1), ("71", 16), ("61", 14), ("41", 7), ("44", 3), ("47", 4), ("31", 27), ("21", 25),
                    ("14", 3))
EDUCATION_PUBLIC = (("71", 2), ("61", 5), ("41", 4), ("31", 18), ("21", 52), ("14", 17), ("11", 2))
DEGREES = frozenset({"31", "21", "14", "11"})
PUBLIC_SECTOR = frozenset({T.ORGAN, T.INSTITUTION, T.STATE})
# Share of 中共党员 by 单位性质.
PARTY = {T.ORGAN: 0.55, T.INSTITUTION: 0.3, T.STATE: 0.25, T.COLLECTIVE: 0.12}
OTHER_PARTIES = ("04", "05", "06", "07", "08", "09", "10")
# Share of men and of migrant workers by 行业 (the union's employer).
MEN = {"建筑业": 0.85, "采矿业": 0.85, "交通运输、仓储和邮政业": 0.8, "电力、热力、燃气及水生产和供应业": 0.72,
       "制造业": 0.6, "农、林、牧、渔业": 0.6, "信息传输、软件和信息技术服务业": 0.62, "教育": 0.32,
       "卫生和社会工作": 0.28, "居民服务、修理和其他服务业": 0.42, "住宿和餐饮业": 0.45, "批发和零售业": 0.45,
       "金融业": 0.42, "租赁和商务服务业": 0.5}
MIGRANT = {"建筑业": 0.7, "制造业": 0.4, "交通运输、仓储和邮政业": 0.42, "住宿和餐饮业": 0.45,
           "居民服务、修理和其他服务业": 0.5, "批发和零售业": 0.3, "农、林、牧、渔业": 0.45, "采矿业": 0.3,
           "房地产业": 0.32, "租赁和商务服务业": 0.18, "信息传输、软件和信息技术服务业": 0.06, "金融业": 0.02,
           "电力、热力、燃气及水生产和供应业": 0.06, "教育": 0.01, "卫生和社会工作": 0.04, "文化、体育和娱乐业": 0.04}
MIGRANT_BY_TYPE = {T.ORGAN: 0.0, T.INSTITUTION: 0.1, T.STATE: 0.5}
# Worker groups (八大群体 and 新就业形态) by 行业: (share, groups to pick from).
GROUPS = {
    "交通运输、仓储和邮政业": (0.16, ("truck_driver", "truck_driver", "courier", "ride_hailing_driver")),
    "居民服务、修理和其他服务业": (0.2, ("domestic_worker", "domestic_worker", "care_worker", "designated_driver")),
    "卫生和社会工作": (0.08, ("care_worker",)),
    "房地产业": (0.18, ("security_guard", "security_guard", "estate_agent")),
    "批发和零售业": (0.06, ("mall_info_staff", "courier")),
    "住宿和餐饮业": (0.07, ("food_delivery",)),
    "信息传输、软件和信息技术服务业": (0.04, ("food_delivery", "ride_hailing_driver", "other_new_employment")),
}
GROUP_ELSEWHERE = (0.02, ("security_guard",))
# 行业工会联合会 (generator.SECTORS) → the group most of its members belong to.
SECTOR_GROUPS = {"快递": "courier", "网约送餐": "food_delivery", "货车司机": "truck_driver", "家政": "domestic_worker",
                 "物业": "security_guard"}
MEN_IN_GROUP = {"truck_driver": 0.97, "courier": 0.85, "food_delivery": 0.9, "ride_hailing_driver": 0.9,
                "designated_driver": 0.95, "security_guard": 0.85, "domestic_worker": 0.08, "care_worker": 0.2,
                "mall_info_staff": 0.4, "estate_agent": 0.6, "other_new_employment": 0.7}
# Where migrant workers in 安徽 come from besides 安徽 itself (province code, weight).
MIGRANT_PROVINCES = (("41", 30), ("32", 15), ("37", 12), ("42", 12), ("36", 10), ("51", 8), ("43", 6), ("50", 4),
                     ("52", 3))
MOBILE_PREFIXES = tuple(
    [str(p) for p in range(130, 140)] + ["150", "151", "152", "153", "155", "156", "157", "158", "159", "166"]
    + ["173", "175", "176", "177", "178"] + [str(p) for p in range(180, 190)] + ["191", "198", "199"])
# Birth years of working members: few born in the 1960s (most of them retired), most 1975–1998.
BIRTH_YEARS = tuple(range(BIRTH_FIRST, BIRTH_LAST + 1))
_BIRTH_WEIGHTS = [0.6 if y < 1971 else 1.0 if y < 1981 else 1.3 if y < 1996 else 1.0 if y < 2003 else 0.35
                  for y in BIRTH_YEARS]
# The eight groups are younger: couriers and riders mostly born after 1985.
_GROUP_BIRTH_WEIGHTS = [0.15 if y < 1971 else 0.6 if y < 1981 else 1.4 if y < 1996 else 1.2 if y < 2003 else 0.5
                        for y in BIRTH_YEARS]
END_KINDS = {S.RETIRED: E.RETIRED, S.LEFT: E.LEFT, S.DECEASED: E.DECEASED}
SOURCES = ((Member.Source.IMPORT, 70), (Member.Source.MANUAL, 30))
SOURCE_NOTES = {Member.Source.IMPORT: "批量导入", Member.Source.MANUAL: "手工录入"}


def _cumulative(pairs) -> tuple[tuple, list[float]]:
    values, weights = zip(*pairs, strict=True)
    return values, list(itertools.accumulate(weights))


_ETHNICITY = _cumulative(ETHNICITY)
_EDUCATION = {key: _cumulative(pairs) for key, pairs in
              (("migrant", EDUCATION_MIGRANT), ("worker", EDUCATION_WORKER), ("public", EDUCATION_PUBLIC))}
_SOURCES = _cumulative(SOURCES)
_BIRTH = list(itertools.accumulate(_BIRTH_WEIGHTS))
_GROUP_BIRTH = list(itertools.accumulate(_GROUP_BIRTH_WEIGHTS))
_SURNAMES = SURNAMES  # repeated characters weight the common ones


def _pick(rng: random.Random, table: tuple[tuple, list[float]]):
    values, cumulative = table
    return values[bisect.bisect(cumulative, rng.random() * cumulative[-1])]


# ---------------------------------------------------------------------------------------------
# The plan's unions and their member counts


def build_regions(rows: Iterable[dict]) -> Regions:
    """Regions from county-level rows of common.Region (dicts with code, name, in_use, successors)."""
    rows = [r for r in rows if r["code"][2:] != "0000" and r["code"][4:] != "00"]
    current = sorted({r["code"] for r in rows if r["in_use"]})
    anhui = [c for c in current if c.startswith("34")]
    city: dict[str, list[str]] = {}
    for code in anhui:
        city.setdefault(code[:4], []).append(code)
    older: dict[str, set[str]] = {}
    for r in rows:
        if not r["in_use"] and r["code"].startswith("34") and r["code"] not in anhui:
            for successor in filter(None, (r.get("successors") or "").split(";")):
                if successor in anhui:
                    older.setdefault(successor, set()).add(r["code"])
    names = {r["code"]: r["name"] for r in rows if r["in_use"]}
    outside = []
    for province, weight in MIGRANT_PROVINCES:
        counties = [c for c in current if c.startswith(province) and names[c].endswith("县")] or \
            [c for c in current if c.startswith(province)]
        # Each province weighs `weight` in all, whatever its number of counties.
        outside += counties * max(1, round(weight * 40 / len(counties))) if counties else []
    return Regions(
        city={code: tuple(city[code[:4]]) for code in anhui},
        older={code: tuple(sorted(codes)) for code, codes in older.items()},
        rural=tuple(c for c in anhui if names[c].endswith("县")),
        outside=tuple(outside),
    )


DEMO_UNION_RATE = 0.88  # members per employee in the union of the demo grassroots account, at any scale


def member_counts(plan: Plan) -> dict[int, int]:
    """Members per union (plan key): about the scale's total, shared by head count, at least one and
    never more than the head count. Only active grassroots and joint unions have members. The demo
    grassroots account's union is as full as a real one even at the small scale."""
    rng = random.Random(f"gonghui-demo-members:{plan.seed}")
    unions = [o for o in plan.orgs
              if o.kind in (K.GRASSROOTS, K.JOINT) and o.status == Org.Status.ACTIVE and o.employee_count]
    heads = sum(o.employee_count for o in unions)
    rate = min(0.95, SCALES[plan.scale].members / heads) if heads else 0
    counts = {o.key: max(1, min(o.employee_count, round(o.employee_count * rate * rng.uniform(0.8, 1.2))))
              for o in unions}
    demo_union = plan.places.get("grassroots")
    if demo_union in counts:
        counts[demo_union] = max(counts[demo_union], round(plan.orgs[demo_union].employee_count * DEMO_UNION_RATE))
    return counts


def plan_unions(plan: Plan, pks: list[int], first_id: int) -> list[Union]:
    """The unions that get members, with their primary keys (`pks[key]`) and the primary key of
    each one's first member, counting from `first_id`.

    In a shuffled order (from the seed), not the plan's: a real database grows union by union over
    the years, so a city's members are spread over the whole range of ids, not one block of them
    (which would make "the newest members of my subtree" look cheaper or dearer than it is)."""
    counts = member_counts(plan)
    recent: dict[str, list[tuple[int, datetime.date]]] = {}
    unions = []
    for spec in plan.orgs:
        n = counts.get(spec.key, 0)
        if not n:
            continue
        parent = plan.orgs[spec.parent]
        group = next((g for word, g in SECTOR_GROUPS.items() if word in parent.name), "") \
            if parent.kind == K.SECTOR else ""
        nearby = recent.setdefault(spec.region_code, [])
        unions.append(Union(
            pk=pks[spec.key], code=spec.code, region=spec.region_code, founded=spec.founded_on,
            industry=spec.industry, employer_type=spec.employer_type, group=group, count=n, first_id=0,
            neighbours=tuple(nearby),
        ))
        nearby.append((pks[spec.key], spec.founded_on))
        del nearby[:-4]
    random.Random(f"gonghui-demo-members-order:{plan.seed}").shuffle(unions)
    next_id = first_id
    for i, union in enumerate(unions):
        unions[i] = union._replace(first_id=next_id)
        next_id += union.count
    return unions


def tasks(unions: list[Union], size: int = TASK_MEMBERS) -> list[list[Union]]:
    """Unions grouped into units of about `size` members, in order."""
    out: list[list[Union]] = [[]]
    filled = 0
    for union in unions:
        if filled >= size:
            out.append([])
            filled = 0
        out[-1].append(union)
        filled += union.count
    return [t for t in out if t]


# ---------------------------------------------------------------------------------------------
# One union's members


def _day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))


def _name(rng: random.Random, ethnicity: str, male: bool) -> str:
    side = 0 if male else 1
    if ethnicity in ("05", "17"):
        people = UYGHUR if ethnicity == "05" else KAZAKH
        return f"{rng.choice(people[side])}·{rng.choice(people[0])}"
    if ethnicity == "04":
        return rng.choice(TIBETAN[0]) + rng.choice(TIBETAN[side])
    if ethnicity == "02" and rng.random() < 0.4:
        return rng.choice(MONGOL[side])
    surname = rng.choice(COMPOUND_SURNAMES) if rng.random() < 0.003 else rng.choice(_SURNAMES)
    pool = GIVEN_MALE if male else GIVEN_FEMALE
    given = rng.choice(pool) + (rng.choice(pool) if rng.random() < 0.75 else "")
    return surname + given


def _birth(rng: random.Random, young: bool) -> datetime.date:
    cumulative = _GROUP_BIRTH if young else _BIRTH
    year = BIRTH_YEARS[bisect.bisect(cumulative, rng.random() * cumulative[-1])]
    return datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))


def _region(rng: random.Random, regions: Regions, home: str, migrant: bool, born: datetime.date) -> str:
    if migrant:
        code = rng.choice(regions.rural) if rng.random() < 0.55 else rng.choice(regions.outside)
    else:
        roll = rng.random()
        code = home if roll < 0.75 else rng.choice(regions.city.get(home, (home,))) if roll < 0.95 \
            else rng.choice(regions.rural)
    if born.year < 1995 and code in regions.older and rng.random() < 0.3:
        code = rng.choice(regions.older[code])  # the card kept the code of its day
    return code


def generate(union: Union, *, seed: int, regions: Regions) -> list[Record]:
    """`union.count` members of `union`, the same for the same seed and union code."""
    rng = random.Random(f"gonghui-demo-members:{seed}:{union.code}")
    group_share, groups = GROUPS.get(union.industry, GROUP_ELSEWHERE)
    if union.group:
        group_share, groups = 0.7, (union.group,) * 6 + ("other_new_employment",)
    migrant_share = MIGRANT.get(union.industry, 0.25) * MIGRANT_BY_TYPE.get(union.employer_type, 1.0)
    men = MEN.get(union.industry, 0.55)
    public = union.employer_type in PUBLIC_SECTOR
    party = PARTY.get(union.employer_type, 0.06)
    earliest_join = max(GRASSROOTS_START, union.founded)
    out = []
    for i in range(union.count):
        group = rng.choice(groups) if rng.random() < group_share else ""
        migrant = rng.random() < (0.75 if group else migrant_share)
        male = rng.random() < (MEN_IN_GROUP[group] if group else men)
        education = _pick(rng, _EDUCATION["migrant" if migrant else "public" if public else "worker"])
        retire_age = 60 if male else 55 if public or education in DEGREES else 50
        for _ in range(20):  # someone who retired before the union was founded never joined it
            born = _birth(rng, young=bool(group))
            start = birthday(born, MIN_JOIN_AGE + min(14, int(rng.expovariate(0.25))))
            retires = birthday(born, retire_age)
            latest = min(DATA_END, retires - datetime.timedelta(days=1))
            first = max(earliest_join, start)
            if first > latest:
                first = max(earliest_join, birthday(born, MIN_JOIN_AGE))
            if first <= latest:
                break
        else:
            born = datetime.date(1995, 1, 1) + datetime.timedelta(days=rng.randrange(365))
            retires, latest = birthday(born, retire_age), DATA_END
            first = max(earliest_join, birthday(born, MIN_JOIN_AGE))
        # Many join when they start work or the union is founded; the rest over the years since.
        span = (latest - first).days
        joined = first + datetime.timedelta(days=rng.randrange(min(span, 120) + 1) if rng.random() < 0.35
                                            else int(span * rng.random() ** 1.4))
        region = _region(rng, regions, union.region, migrant, born)
        body = f"{region}{born:%Y%m%d}{rng.randrange(500) * 2 + (1 if male else 0):03d}"
        ethnicity = _pick(rng, _ETHNICITY)
        name = _name(rng, ethnicity, male)
        if rng.random() < party * (1.5 if education in DEGREES else 1.0):
            political = "02" if rng.random() < 0.03 else "01"
        elif DATA_END.year - born.year <= 28 and rng.random() < 0.4:
            political = "03"
        elif education in DEGREES and rng.random() < 0.005:
            political = rng.choice(OTHER_PARTIES)
        else:
            political = "13"
        if migrant:
            household = "agricultural" if rng.random() < 0.92 else "other"
        else:
            roll = rng.random()
            household = "resident" if roll < 0.45 else "non_agricultural" if roll < 0.85 else "agricultural"
        mobile = f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}" if rng.random() < 0.97 else ""
        source = _pick(rng, _SOURCES)
        pk = union.first_id + i
        events: list[tuple[str, datetime.date, int, int | None]] = []
        status, status_date = S.ACTIVE, None
        roll = rng.random()
        if retires <= DATA_END and roll < 0.85:
            status, status_date = S.RETIRED, retires
        elif roll > 0.965 and (joined + datetime.timedelta(days=30)) < DATA_END:
            status = S.DECEASED if roll > 0.999 else S.LEFT
            status_date = _day(rng, joined + datetime.timedelta(days=30), DATA_END)
        end = status_date or DATA_END
        came_from = [pk_ for pk_, founded in union.neighbours if founded <= joined]
        if came_from and rng.random() < 0.025 and (end - joined).days > 60:
            origin = rng.choice(came_from)
            moved = _day(rng, joined + datetime.timedelta(days=30), end - datetime.timedelta(days=1))
            events.append((E.JOINED, joined, origin, None))
            events.append((E.TRANSFERRED, moved, origin, union.pk))
        else:
            events.append((E.JOINED, joined, union.pk, None))
        if status != S.ACTIVE:
            events.append((END_KINDS[status], status_date, union.pk, None))
        out.append(Record(
            id=pk, org_id=union.pk, name=name, gender=MALE if male else FEMALE, birth_date=born,
            id_number=body + idcard.check_char(body), mobile=mobile, ethnicity=ethnicity, education=education,
            political_status=political, household_type=household, is_migrant_worker=migrant, worker_group=group,
            join_date=joined, status=status, status_date=status_date, source=source, events=tuple(events),
        ))
    return out


# ---------------------------------------------------------------------------------------------
# Encoded for the database, in worker processes

# COPY column order; member_number comes last: the caller appends it (serials are global).
MEMBER_COLUMNS = ("id", "org_id", "name", "gender", "birth_date", "doc_type", "id_number_enc", "id_index",
                  "id_masked", "mobile_enc", "mobile_masked", "ethnicity", "education", "political_status",
                  "household_type", "is_migrant_worker", "worker_group", "join_date", "status", "status_date",
                  "source", "import_job_id", "created_at", "updated_at", "member_number")
NULL = r"\N"  # in COPY text
EVENT_COLUMNS = ("member_id", "kind", "date", "org_id", "to_org_id", "at", "by_id", "note", "detail")


@dataclasses.dataclass
class Batch:
    """Members ready to write, column by column (lists pickle fast between processes): `keys`, the
    ID numbers' first 17 digits as ints, for the caller's uniqueness check; `prefixes`, the member
    number prefixes (province digits + year); `rows`, COPY text without member_number and newline,
    or dicts of Member field values; `events`, COPY text, or lists of (kind, date, org pk, to_org pk)."""

    keys: list[int] = dataclasses.field(default_factory=list)
    prefixes: list[str] = dataclasses.field(default_factory=list)
    rows: list = dataclasses.field(default_factory=list)
    events: list = dataclasses.field(default_factory=list)


def encode(records: list[Record], *, province: str, copy: bool, stamp: str, into: Batch) -> Batch:
    """The records with their personal data protected (`members.actions.protect`), appended to
    `into`: as COPY text (`copy`, PostgreSQL) or as field values for Member(...). `province`: the
    two digits that begin the union's member numbers; `stamp`: created_at, ISO."""
    for r in records:
        stored = protect(r.facts())
        into.keys.append(int(r.id_number[:17]))
        into.prefixes.append(f"{province}{r.join_date.year:04d}")
        if copy:
            into.rows.append("\t".join((
                str(r.id), str(r.org_id), r.name, r.gender, r.birth_date.isoformat(), idcard.RESIDENT,
                stored["id_number_enc"], stored["id_index"], stored["id_masked"], stored["mobile_enc"],
                stored["mobile_masked"], r.ethnicity, r.education, r.political_status, r.household_type,
                "t" if r.is_migrant_worker else "f", r.worker_group, r.join_date.isoformat(), r.status,
                r.status_date.isoformat() if r.status_date else r"\N", r.source, r"\N", stamp, stamp, "",
            )))
            into.events.append("".join(
                f"{r.id}\t{kind}\t{day.isoformat()}\t{org}\t{to or NULL}\t{stamp}\t{NULL}\t"
                f"{SOURCE_NOTES[r.source] if kind == E.JOINED else ''}\t{{}}\n"
                for kind, day, org, to in r.events))
        else:
            row = r._asdict()
            del row["id_number"], row["mobile"], row["events"]
            into.rows.append(row | stored)
            into.events.append(r.events)
    return into


def generate_encoded(unions: list[Union], *, seed: int, regions: Regions, copy: bool, stamp: str) -> Batch:
    """The members of `unions`, generated and encoded: one unit of work for a worker process."""
    batch = Batch()
    for union in unions:
        encode(generate(union, seed=seed, regions=regions), province=union.region[:2], copy=copy, stamp=stamp,
               into=batch)
    return batch
