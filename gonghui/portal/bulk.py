"""The worker portal's year at a province's size, written in bulk as the actions write it (without their
notifications and audit entries; the demo load has one): members who signed up with their registered mobile and
bound their account (实名绑定 by the sign-in mobile), each with an electronic member card, some checked; online
join applications in every state — the accepted ones are members who joined in the year (their records say
they came online), the others new people — and the QR posters of the unions they scanned."""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from gonghui.common import pii
from gonghui.members.models import MOBILE_CONTEXT as MEMBER_MOBILE
from gonghui.members.models import Member, MemberEvent
from gonghui.orgs.models import Org

from .demo import new_person, numbers_of
from .models import (
    APPLICATION_ID_CONTEXT,
    APPLICATION_MOBILE_CONTEXT,
    MOBILE_CONTEXT,
    ApplicationEvent,
    BindingAttempt,
    BindingRequest,
    CardCheck,
    JoinApplication,
    JoinLink,
    MemberCard,
    QrScan,
    Worker,
)
from .queries import FEDERATION_KINDS

PROVINCE_BOUND = 40_000  # members with a bound account (the hall's applicants)
PROVINCE_APPLICATIONS = 12_000  # online join applications in the year
JA = JoinApplication.Status
# status → share of the applications that end there (the accepted ones are members who joined in the year).
FATES = {JA.ACCEPTED: 0.82, JA.RETURNED: 0.06, JA.WITHDRAWN: 0.04, JA.SUBMITTED: 0.08}
SCANS_PER_QR_JOIN = 4
BATCH = 2000
FACTS = ("gender", "birth_date", "ethnicity", "education", "political_status", "household_type",
         "is_migrant_worker", "worker_group")


def load(demo) -> None:
    rng = demo.rng("portal")
    active = Member.objects.filter(status=Member.Status.ACTIVE).exclude(mobile_enc="")
    bound = demo.sample(rng, round(PROVINCE_BOUND * demo.share),
                        active.filter(join_date__lt=demo.first_day, worker__isnull=True))
    # Joined in the year, so none of the members bound above (who joined before it).
    joined = demo.sample(rng, round(PROVINCE_APPLICATIONS * FATES[JA.ACCEPTED] * demo.share),
                         active.filter(join_date__gte=demo.first_day, worker__isnull=True))
    with demo.stamped(Worker, BindingRequest, BindingAttempt, MemberCard, CardCheck, JoinApplication,
                      ApplicationEvent, QrScan, JoinLink):
        workers = _workers(demo, rng, bound)
        _cards(demo, rng, workers)
        apps = _join_applications(demo, rng, joined)
    demo.say(f"职工账号实名绑定 {len(workers)} 人（及其电子会员卡），网上入会申请 {apps} 件。")


def _new_workers(rows: list[tuple[str, datetime.datetime, Member | None]], rng) -> list[Worker]:
    """Worker accounts (user and worker rows, as the first sign-in opens them) for (mobile, when, member)."""
    User = get_user_model()
    unusable = make_password(None)
    users = User.objects.bulk_create([User(username=f"w{rng.getrandbits(64):016x}", is_staff=False,
                                           password=unusable, date_joined=at) for _, at, _ in rows],
                                     batch_size=BATCH)
    workers, seen = [], set()
    for user, (number, at, member) in zip(users, rows, strict=True):
        index = pii.blind_index(number, purpose="mobile")
        if index in seen:  # one account per mobile
            continue
        seen.add(index)
        workers.append(Worker(user=user, mobile_index=index, mobile_masked=pii.mask_mobile(number),
                              mobile_enc=pii.encrypt(number, context=MOBILE_CONTEXT + index), member=member,
                              created_at=at))
    taken = set(Worker.objects.filter(mobile_index__in=[w.mobile_index for w in workers])
                .values_list("mobile_index", flat=True))
    return Worker.objects.bulk_create([w for w in workers if w.mobile_index not in taken], batch_size=BATCH)


def _workers(demo, rng, members: list[Member]) -> list[Worker]:
    rows = []
    for member in members:
        at = demo.moment(rng, demo.day(rng))
        rows.append((pii.decrypt(member.mobile_enc, context=MEMBER_MOBILE + member.id_index), at, member))
    workers = _new_workers(rows, rng)
    BindingAttempt.objects.bulk_create([BindingAttempt(worker=w, at=w.created_at) for w in workers],
                                       batch_size=BATCH)
    BindingRequest.objects.bulk_create([
        BindingRequest(worker=w, member=w.member, via=BindingRequest.Via.SIGN_IN, status=BindingRequest.Status.BOUND,
                       created_at=w.created_at, decided_at=w.created_at, decided_by=w.user) for w in workers],
        batch_size=BATCH)
    return workers


def _cards(demo, rng, workers: list[Worker]) -> None:
    """The card issued on the first visit of the card page, minutes after binding; some checked since."""
    cards = MemberCard.objects.bulk_create([
        MemberCard(member=w.member, org_id=w.member.org_id,
                   issued_at=min(w.created_at + datetime.timedelta(minutes=rng.randint(1, 60)), demo.now()))
        for w in workers], batch_size=BATCH)
    checks = []
    for card in cards:
        for _ in range(rng.choice([0, 0, 0, 1, 2])):
            checks.append(CardCheck(card=card, outcome=CardCheck.Outcome.VALID,
                                    at=demo.moment(rng, demo.day(rng, card.issued_at.date()))))
    CardCheck.objects.bulk_create(checks, batch_size=BATCH)


def _join_applications(demo, rng, joined: list[Member]) -> int:
    """The accepted ones from the members who joined in the year (on the day of the decision), the others new
    people applying to a union of the same towns; each with its worker account and events."""
    others = round(len(joined) / FATES[JA.ACCEPTED] * (1 - FATES[JA.ACCEPTED]))
    unions = demo.sample(rng, max(1, others), Org.objects.filter(kind=Org.Kind.GRASSROOTS, status=Org.Status.ACTIVE))
    towns = dict(Org.objects.filter(pk__in={u.parent_id for u in unions}).values_list("id", "kind"))
    plans = []  # (org, channel, facts dict, submitted, status, member)
    for member in joined:
        decided = demo.moment(rng, member.join_date)
        submitted = decided - datetime.timedelta(days=rng.randint(1, 5), hours=rng.randint(0, 5))
        id_number, mobile = numbers_of(member)
        facts = {"name": member.name, "id_number": id_number, "mobile": mobile} | {f: getattr(member, f) for f in FACTS}
        channel = JoinApplication.Channel.QR if rng.random() < 0.45 else JoinApplication.Channel.SEARCH
        plans.append((member.org_id, channel, facts, submitted, JA.ACCEPTED, member, decided))
    statuses = rng.choices([JA.RETURNED, JA.WITHDRAWN, JA.SUBMITTED],
                           weights=[FATES[JA.RETURNED], FATES[JA.WITHDRAWN], FATES[JA.SUBMITTED]], k=len(unions))
    for union, status in zip(unions, statuses, strict=True):
        raw = new_person(rng, union.region_code, demo.today)
        facts = raw | {"birth_date": datetime.date(int(raw["id_number"][6:10]), int(raw["id_number"][10:12]),
                                                   int(raw["id_number"][12:14])),
                       "gender": "1" if int(raw["id_number"][16]) % 2 else "2"}
        day = demo.day(rng, demo.today - datetime.timedelta(days=6)) if status == JA.SUBMITTED \
            else demo.day(rng, end=demo.today - datetime.timedelta(days=10))
        roll = rng.random()
        if roll < 0.15 and towns.get(union.parent_id) in FEDERATION_KINDS:
            org, channel = union.parent_id, JoinApplication.Channel.FEDERATION
        else:
            org, channel = union.pk, JoinApplication.Channel.QR if roll < 0.5 else JoinApplication.Channel.SEARCH
        submitted = demo.moment(rng, day)
        plans.append((org, channel, facts, submitted, status, None,
                      submitted + datetime.timedelta(days=rng.randint(1, 3), hours=rng.randint(1, 4))))
    workers = _new_workers([(p[2]["mobile"], p[3] - datetime.timedelta(minutes=5), p[5]) for p in plans], rng)
    by_mobile = {w.mobile_masked + w.mobile_index: w for w in workers}
    apps, events = [], []
    for org, channel, facts, submitted, status, member, decided in plans:
        index = pii.blind_index(facts["mobile"], purpose="mobile")
        worker = by_mobile.get(pii.mask_mobile(facts["mobile"]) + index)
        if worker is None:
            continue
        id_index = pii.blind_index(facts["id_number"], purpose="id_number")
        app = JoinApplication(
            worker=worker, org_id=org, channel=channel, status=status, name=facts["name"], id_index=id_index,
            id_number_enc=pii.encrypt(facts["id_number"], context=APPLICATION_ID_CONTEXT + id_index),
            id_masked=pii.mask_id(facts["id_number"]),
            mobile_enc=pii.encrypt(facts["mobile"], context=APPLICATION_MOBILE_CONTEXT + id_index),
            mobile_masked=pii.mask_mobile(facts["mobile"]), member=member, submitted_at=submitted,
            **{f: facts[f] for f in FACTS})
        history = [(JA.SUBMITTED, submitted, worker.user_id, f"通过“{app.get_channel_display()}”提交")]
        if status == JA.ACCEPTED:
            app.decided_at = decided
            history.append((JA.ACCEPTED, decided, None, f"会员证号 {member.member_number}"))
        elif status == JA.RETURNED:
            app.decided_at, app.reason = decided, "请补充工作单位全称"
            history.append((JA.RETURNED, decided, None, app.reason))
        elif status == JA.WITHDRAWN:
            history.append((JA.WITHDRAWN, decided, worker.user_id, ""))
        apps.append(app)
        events.append(history)
    apps = JoinApplication.objects.bulk_create(apps, batch_size=BATCH)
    ApplicationEvent.objects.bulk_create([ApplicationEvent(application=app, status=s, at=at, by_id=by, note=note)
                                          for app, history in zip(apps, events, strict=True)
                                          for s, at, by, note in history], batch_size=BATCH)
    accepted = [app for app in apps if app.status == JA.ACCEPTED]
    Member.objects.filter(pk__in=[a.member_id for a in accepted]).update(source=Member.Source.ONLINE)
    for channel, label in JoinApplication.Channel.choices:
        MemberEvent.objects.filter(member_id__in=[a.member_id for a in accepted if a.channel == channel],
                                   kind=MemberEvent.Kind.JOINED).update(note=label)
    _scans(demo, rng, [a for a in apps if a.channel == JoinApplication.Channel.QR])
    return len(apps)


def _scans(demo, rng, apps: list[JoinApplication]) -> None:
    """Each union applied to by QR has its poster's link; it was scanned a few times per application."""
    unions = sorted({a.org_id for a in apps})
    links = {link.org_id: link for link in JoinLink.objects.bulk_create(
        [JoinLink(org_id=pk, updated_at=demo.moment(rng, demo.first_day)) for pk in unions], batch_size=BATCH)}
    QrScan.objects.bulk_create([
        QrScan(link=links[a.org_id], at=a.submitted_at - datetime.timedelta(minutes=rng.randint(1, 20 * 24 * 60))
               if i else a.submitted_at - datetime.timedelta(minutes=2))
        for a in apps for i in range(rng.randint(1, 2 * SCANS_PER_QR_JOIN - 1))], batch_size=BATCH)
