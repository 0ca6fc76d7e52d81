"""Hardship relief's year at a province's size, written in bulk as the actions write it (without their audit
entries; the demo load has one), in the shape of the province's report: ≈ 24 000 households on file when the
year began, ≈ 12 000 of them leaving it in the year (most 解困脱困) and ≈ 2 000 opened, so ≈ 14 000 on file at
its end; ≈ 139 000 households helped with ≈ 1.22 亿元 — the households on file with 送温暖 (one batch per county
before the Spring Festival) and aid of every kind and fund source, the others (not on file) with 就业帮扶 and
大病救助, a few payments reversed. Each file has its household, plan, events (建档, 一人一策, 结对, 年度复核,
退出); aid is approved by the province's demo cadre for the county federation that pays and recorded by the
system (审批与发放登记分离), through `ledger.bulk`."""

import datetime
from decimal import Decimal

from gonghui.common.actors import system_actor
from gonghui.ledger import bulk as ledger
from gonghui.ledger.models import Disbursement, FundSource, PaymentKind
from gonghui.members.models import Member

from .actions import REVIEW_INTERVAL, per_capita
from .demo import CAUSES, MEASURES, household
from .models import FileEvent, HardshipFile, HouseholdMember

ON_FILE_AT_START = 24_000
OPENED = 2_000
EXITED = 12_000
OTHERS_HELPED = 113_000  # households helped without a file (就业帮扶, 大病救助)
LEVELS = {"national": 10, "province": 15, "city": 25, "county": 50}
CATEGORIES = {"deep": 25, "relative": 65, "accident": 10}
EXITS = {"relieved": 92, "retired": 3, "moved": 2, "deceased": 1, "not_qualified": 2}
# kind → (amount range in 元, fund sources with their weights)
# The ranges are sized so that the province's year, with the 送温暖 batch, comes to ≈ 1.22 亿元.
AID = {"living": ((700, 2300), {"central": 5, "provincial": 3, "union": 2}),
       "medical": ((900, 3500), {"central": 4, "provincial": 3, "donation": 3}),
       "education": ((900, 2600), {"central": 4, "donation": 3, "union": 3})}
OTHER_AID = {"employment": ((200, 500), {"union": 6, "provincial": 4}),
             "serious_illness": ((2000, 6000), {"provincial": 4, "union": 3, "donation": 3})}
WARMTH_EACH = Decimal("800")
REVERSED = 0.003
BATCH = 5000


def _pick(rng, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def load(demo) -> None:
    rng = demo.rng("hardship")
    share = demo.share
    approver, recorder = demo.province, system_actor()
    county_of = demo.county_of
    before, opened = round(ON_FILE_AT_START * share), round(OPENED * share)
    active = Member.objects.filter(status=Member.Status.ACTIVE, join_date__lt=demo.first_day - datetime.timedelta(
        days=30))
    cast = demo.sample(rng, before + opened, active)
    files, households, plans = [], [], []
    for i, member in enumerate(cast):
        in_year = i >= before
        day = demo.day(rng, demo.first_day, demo.today - datetime.timedelta(days=15)) if in_year else \
            demo.day(rng, demo.first_day - datetime.timedelta(days=900), demo.first_day - datetime.timedelta(days=1))
        people = household(rng, member)
        file = HardshipFile(member=member, org_id=member.org_id, level=_pick(rng, LEVELS),
                            category=_pick(rng, CATEGORIES), causes=rng.choice(CAUSES),
                            housing=rng.choice(["自有住房", "租住", "借住"]), per_capita_income=per_capita(people),
                            measures=rng.choice(MEASURES), review_due=day + REVIEW_INTERVAL, opened_on=day)
        files.append(file)
        households.append(people)
    # Exits: files opened before the year, on a day of the year after their last review.
    exits = set(rng.sample(range(before), min(before, round(EXITED * share))))
    for i, file in enumerate(files):
        opened_at = demo.moment(rng, file.opened_on)
        history = [(FileEvent.Kind.OPENED, opened_at, "", {"level": file.level, "category": file.category,
                                                           "per_capita_income": str(file.per_capita_income)}),
                   (FileEvent.Kind.UPDATED, opened_at + datetime.timedelta(days=rng.randint(1, 10)),
                    "更新帮扶计划（一人一策）", {"measures": [None, file.measures]})]
        if rng.random() < 0.7:
            history.append((FileEvent.Kind.PAIRED, opened_at + datetime.timedelta(days=rng.randint(5, 30)),
                            str(approver), {}))
            file.paired_cadre = approver
        file.responsible = approver
        reviewed = file.opened_on + REVIEW_INTERVAL
        end = demo.today
        if i in exits:
            end = demo.day(rng, max(demo.first_day, file.opened_on + datetime.timedelta(days=60)))
        while reviewed <= end:
            history.append((FileEvent.Kind.REVIEWED, demo.moment(rng, reviewed), "入户复核，继续保留。", {}))
            file.review_due = reviewed + REVIEW_INTERVAL
            reviewed += REVIEW_INTERVAL
        if i in exits:
            file.status, file.exit_reason, file.exit_on = HardshipFile.Status.CLOSED, _pick(rng, EXITS), end
            if file.exit_reason == "relieved":
                file.follow_up_on = end + datetime.timedelta(days=180)
            history.append((FileEvent.Kind.CLOSED, demo.moment(rng, end), "入户核实后退出",
                            {"reason": file.exit_reason, "on": str(end)}))
        plans.append(history)
    with demo.stamped(FileEvent, Disbursement):
        files = HardshipFile.objects.bulk_create(files, batch_size=BATCH)
        HouseholdMember.objects.bulk_create([
            HouseholdMember(file=f, name=p["name"], relation=p["relation"], monthly_income=p["monthly_income"])
            for f, people in zip(files, households, strict=True) for p in people], batch_size=BATCH)
        FileEvent.objects.bulk_create([
            FileEvent(file=f, kind=kind, at=at, by=approver, note=note, detail=detail)
            for f, history in zip(files, plans, strict=True) for kind, at, note, detail in history], batch_size=BATCH)
        paid = _aid(demo, rng, files, county_of, approver, recorder,
                    demo.sample(rng, round(OTHERS_HELPED * share),
                                active.filter(hardship_files=None)))
    demo.say(f"困难职工档案 {len(files)} 份（年内退出 {len(exits)} 份），帮扶发放 {paid} 笔。")


def _aid(demo, rng, files, county_of, approver, recorder, others: list[Member]) -> int:
    kinds = {k.code: k for k in PaymentKind.objects.all()}
    sources = {s.code: s for s in FundSource.objects.all()}
    payments: list[ledger.Payment] = []

    def pay(member_id, org_id, code, day, amount=None, source=None, file=None, batch=None, reason=""):
        (low, high), from_ = (AID | OTHER_AID).get(code, ((0, 0), {"union": 1}))
        approved = demo.moment(rng, day)
        paid_on = min(day + datetime.timedelta(days=rng.randint(1, 7)), demo.today)
        payments.append(ledger.Payment(
            member_id=member_id, org_id=org_id, kind=kinds[code], fund_source=sources[source or _pick(rng, from_)],
            amount=amount or Decimal(rng.randint(low, high) // 50 * 50), approved_at=approved, paid_on=paid_on,
            reversed_on=demo.day(rng, paid_on) if rng.random() < REVERSED and paid_on < demo.today else None,
            reason=reason or kinds[code].name, hardship_file_id=file.pk if file else None, batch=batch))

    # 送温暖 before the Spring Festival: one batch per county of the households on file then.
    year = demo.today.year if datetime.date(demo.today.year, 1, 20) <= demo.today else demo.today.year - 1
    warmth_day = max(datetime.date(year, 1, 20), demo.first_day)
    by_county: dict[int, list[HardshipFile]] = {}
    for f in files:
        if f.opened_on <= warmth_day and (f.exit_on is None or f.exit_on > warmth_day):
            by_county.setdefault(county_of(f.org_id), []).append(f)
    batches = Disbursement.objects.bulk_create([
        Disbursement(title=f"{year}年春节送温暖", org_id=county, kind=kinds["warmth"], fund_source=sources["union"],
                     amount_each=WARMTH_EACH, approved_by=approver, approved_at=demo.moment(rng, warmth_day),
                     status=Disbursement.Status.PAID) for county in sorted(by_county)], batch_size=BATCH)
    for batch in batches:
        for f in by_county[batch.org_id]:
            payments.append(ledger.Payment(
                member_id=f.member_id, org_id=batch.org_id, kind=batch.kind, fund_source=batch.fund_source,
                amount=WARMTH_EACH, approved_at=batch.approved_at, paid_on=min(warmth_day + datetime.timedelta(
                    days=5), demo.today), reason=batch.title, hardship_file_id=f.pk, batch=batch))
    # Aid to the households on file, while on file.
    for f in files:
        start, end = max(f.opened_on, demo.first_day), min(f.exit_on or demo.today, demo.today)
        if start >= end:
            continue
        for _ in range(rng.choice([0, 1, 1, 1, 2, 2])):
            pay(f.member_id, county_of(f.org_id), rng.choice(list(AID)), demo.day(rng, start, end), file=f)
    for member in others:
        code = "serious_illness" if rng.random() < 0.03 else "employment"
        pay(member.pk, county_of(member.org_id), code, demo.day(rng, end=demo.today - datetime.timedelta(days=1)))
    ledger.write(payments, approver=approver, recorder=recorder, key="demo-aid")
    ledger.add_to_totals({p.org_id for p in payments})
    return len(payments)
