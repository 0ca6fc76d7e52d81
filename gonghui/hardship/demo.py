"""The demo county's hardship relief over the year: households on file (some from before the year, some opened
in it, a few through the hall's 困难职工帮扶申请), each with its plan (一人一策), most with a paired cadre, the
older ones reviewed; aid of every kind and fund source approved by the city federation and recorded by the
county (审批与发放登记分离), a 送温暖 batch before the Spring Festival, a few payments reversed, and files
closed (解困脱困 and the other reasons). At the larger scales the same rows are written in bulk (`bulk.py`)."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.hall import actions as hall
from gonghui.hall.demo import run_fate
from gonghui.hall.models import ServiceItem
from gonghui.ledger import actions as ledger
from gonghui.ledger.models import Entry, FundSource, PaymentKind
from gonghui.members.models import Member

from . import actions
from .models import HardshipFile
from .queries import open_file_of

FILES = 60
FROM_HALL = 5
LEVELS = ["national"] * 3 + ["province"] * 6 + ["city"] * 12 + ["county"] * 39
CATEGORIES = ["deep"] * 3 + ["relative"] * 5 + ["accident"] * 2
CAUSES = [["因病"], ["因残"], ["意外事故"], ["子女教育"], ["因病", "失业"], ["因灾"], ["失业"], ["因病", "子女教育"]]
MEASURES = ["生活救助、结对走访、就业推荐", "医疗救助、大病救助申请指导", "金秋助学、子女教育帮扶",
            "技能培训、就业帮扶", "生活救助、节日慰问"]
# Aid kind → (amount range in 元, fund sources it is paid from).
AID = {"living": ((1000, 3000), ["central", "provincial", "union"]),
       "medical": ((2000, 8000), ["central", "provincial", "donation"]),
       "serious_illness": ((5000, 20000), ["provincial", "union", "donation"]),
       "education": ((2000, 5000), ["central", "donation", "union"]),
       "employment": ((500, 1500), ["union", "provincial"])}
EXITS = ["relieved"] * 5 + ["retired", "moved", "not_qualified"]
REVERSED = 3
# The smallest file the hall accepts as a PDF (its first bytes are what it checks).
PROOF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def household(rng, member: Member) -> list[dict]:
    people = [{"name": member.name, "relation": "本人", "monthly_income": rng.randint(800, 2200)}]
    if rng.random() < 0.8:
        people.append({"name": "配偶", "relation": "配偶", "monthly_income": rng.choice([0, 0, 600, 1200])})
    for _ in range(rng.choice([0, 1, 1, 2])):
        people.append({"name": "子女", "relation": "子女", "monthly_income": 0})
    return people


def load(demo) -> None:
    if demo.bulk:
        from . import bulk

        bulk.load(demo)
        return
    rng, county, city = demo.rng("hardship"), demo.county, demo.city or demo.province
    cast = list(Member.objects.subtree(county.org).active().filter(join_date__lt=demo.first_day)
                .filter(hardship_files__isnull=True).select_related("org").order_by("id")[:FILES * 4])
    rng.shuffle(cast)
    files = []
    for i, member in enumerate(cast[:FILES]):
        before_year = i % 5 < 2  # on file when the year began
        opened = demo.day(rng, demo.first_day - datetime.timedelta(days=600), demo.first_day - datetime.timedelta(
            days=1)) if before_year else demo.day(rng, end=demo.today - datetime.timedelta(days=20))
        responsible = demo.town if member.org.is_within(demo.town.org) else county
        with demo.at(demo.moment(rng, opened)):
            file = actions.open_file(member=member, level=LEVELS[i % len(LEVELS)],
                                     category=CATEGORIES[i % len(CATEGORIES)], household=household(rng, member),
                                     by=county, causes=rng.choice(CAUSES), housing=rng.choice(["自有住房", "租住"]),
                                     measures=rng.choice(MEASURES), responsible=responsible, opened_on=opened)
        with demo.at(demo.moment(rng, opened + datetime.timedelta(days=rng.randint(1, 10)))):
            if i % 3 == 0:  # the plan made more precise after the first visit
                file = actions.set_plan(file=file, by=county, measures=rng.choice(MEASURES) + "；每季度走访一次",
                                        responsible=responsible)
            if i % 5 != 4:
                file = actions.pair(file=file, cadre=responsible, by=county)
        reviewed = opened + datetime.timedelta(days=365)
        if reviewed <= demo.today:
            with demo.at(demo.moment(rng, reviewed)):
                file = actions.review(file=file, by=county, note="入户复核，家庭收入仍低于当地标准，继续保留。")
        files.append(file)
    opened_by_hall = _from_hall(demo, rng)
    entries = _aid(demo, rng, files, by=city, recorder=county)
    _warmth(demo, rng, files, by=city, recorder=county)
    for entry in entries[:REVERSED]:
        with demo.at(demo.moment(rng, demo.day(rng, entry.paid_on + datetime.timedelta(days=3)))):
            ledger.reverse(entry=entry, by=city, reason="重复发放，予以冲销")
    closed = 0
    for file, reason in zip(files[1::7], EXITS, strict=False):
        file.refresh_from_db()
        last = max([file.opened_on, *file.approvals.values_list("entries__paid_on", flat=True).exclude(
            entries__paid_on=None)])
        if last + datetime.timedelta(days=15) > demo.today:
            continue
        on = demo.day(rng, last + datetime.timedelta(days=15))
        with demo.at(demo.moment(rng, on)):
            actions.close(file=file, reason=reason, by=county, on=on, note="入户核实后退出",
                          follow_up_on=on + datetime.timedelta(days=180) if reason == "relieved" else None)
        closed += 1
    demo.say(f"困难职工档案 {len(files) + opened_by_hall} 份（其中经办事大厅申请建档 {opened_by_hall} 份，"
             f"退出 {closed} 份），帮扶发放 {len(entries)} 笔，冲销 {REVERSED} 笔。")


def _from_hall(demo, rng) -> int:
    """困难职工帮扶申请 through the hall by members with a worker account: the county's approval opens the file."""
    item = ServiceItem.objects.filter(code="hardship_aid").select_related("current").first()
    if item is None or item.current is None:
        return 0
    applicants = list(Member.objects.subtree(demo.county.org).active()
                      .filter(worker__isnull=False, hardship_files__isnull=True)
                      .select_related("org", "worker__user").order_by("id")[:FROM_HALL])
    category = next(f for f in item.current.fields if f["name"] == "category")["choices"][0]
    cadres = [c for c in (demo.grassroots, demo.town, demo.county, demo.city, demo.province) if c is not None]
    opened = 0
    for member in applicants[:FROM_HALL]:
        day = demo.day(rng, end=demo.today - datetime.timedelta(days=45))
        moment = demo.moment(rng, day)
        with demo.at(moment):
            app = hall.file_application(
                item=item, applicant=member.worker.user, applicant_org=member.org, applicant_name=member.name,
                raw={"name": member.name, "category": category, "household_size": "3",
                     "monthly_income": str(rng.randint(1500, 3200)), "reason": "本人患病住院，家庭收入微薄。"},
                uploads={"proof": SimpleUploadedFile("困难证明.pdf", PROOF, "application/pdf")})
        app = run_fate(demo, rng, cadres, app, "on_time", moment)
        opened += open_file_of(member) is not None
    return opened


def _aid(demo, rng, files: list[HardshipFile], *, by, recorder) -> list[Entry]:
    """One to three payments per household over the year, each kind from its fund sources in turn."""
    kinds = {k.code: k for k in PaymentKind.objects.all()}
    sources = {s.code: s for s in FundSource.objects.all()}
    entries, turn = [], 0
    for file in files:
        start = max(file.opened_on, demo.first_day)
        for _ in range(rng.choice([1, 1, 2, 3])):
            if start >= demo.today:
                break
            code = list(AID)[turn % len(AID)]
            (low, high), from_ = AID[code]
            source = from_[(turn // len(AID)) % len(from_)]
            turn += 1
            day = demo.day(rng, start, demo.today - datetime.timedelta(days=2))
            with demo.at(demo.moment(rng, day)):
                approval = ledger.approve(member=file.member, kind=kinds[code], fund_source=sources[source],
                                          amount=str(rng.randint(low, high) // 100 * 100), by=by,
                                          org=demo.county.org, reason=f"{kinds[code].name}（{file.member.name}）")
            paid = min(day + datetime.timedelta(days=rng.randint(1, 7)), demo.today)
            with demo.at(demo.moment(rng, paid)):
                entries.append(ledger.record_payment(approval=approval, by=recorder, key=f"demo-aid-{approval.pk}",
                                                     paid_on=paid))
    return entries


def _warmth(demo, rng, files: list[HardshipFile], *, by, recorder) -> None:
    """送温暖 before the Spring Festival: the households on file then, in one batch of the county."""
    year = demo.today.year if datetime.date(demo.today.year, 1, 20) <= demo.today else demo.today.year - 1
    day = max(datetime.date(year, 1, 20), demo.first_day)
    members = [f.member for f in files if f.opened_on <= day]
    if not members:
        return
    with demo.at(demo.moment(rng, day)):
        batch = ledger.approve_disbursement(title=f"{year}年春节送温暖", org=demo.county.org,
                                            kind=PaymentKind.objects.get(code="warmth"),
                                            fund_source=FundSource.objects.get(code="union"), amount_each="800",
                                            members=members, by=by)
    paid = min(day + datetime.timedelta(days=5), demo.today)
    with demo.at(demo.moment(rng, paid)):
        ledger.record_disbursement(batch=batch, by=recorder, key="demo-warmth", paid_on=paid)
