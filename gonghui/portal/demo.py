"""The demo county's worker portal over the year: members who opened a worker account and bound it (实名绑定)
and use their electronic member card (some checked, one revoked and issued again), the QR poster of the demo
union scanned, and online join applications in every state (待审核, 已退回 and corrected, 已通过, 已撤回) through
the three channels. At the larger scales the same rows are written in bulk (`bulk.py`)."""

import datetime
import random

from gonghui.common import idcard, pii
from gonghui.common.errors import DomainError
from gonghui.members.models import ID_CONTEXT, MOBILE_CONTEXT, Member
from gonghui.orgs.models import Org

from . import actions
from .models import CardCheck, JoinApplication, Worker

WORKERS = 40  # members of the county with a bound account (the hall's and the programs' applicants)
JOINERS = 16
SCANS = 120
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋艳勇杰娟涛明超秀霞平刚桂英华建国志文春立新德胜利红梅燕琳欣怡佳琪浩宇鑫波亮飞"
# The fate of each join application, in turn: (final status, returned first).
FATES = [(JoinApplication.Status.ACCEPTED, False)] * 4 + [
    (JoinApplication.Status.ACCEPTED, True), (JoinApplication.Status.RETURNED, False),
    (JoinApplication.Status.WITHDRAWN, False), (JoinApplication.Status.SUBMITTED, False)]


def worker_for(number: str):
    """The worker account of mobile `number`, opened as the first sign-in opens it."""
    return actions._worker_user(number, actions._index(number)).worker


def numbers_of(member: Member) -> tuple[str, str]:
    """The member's ID and mobile numbers, as the binding form and the account's sign-in give them."""
    return (pii.decrypt(member.id_number_enc, context=ID_CONTEXT + member.id_index),
            pii.decrypt(member.mobile_enc, context=MOBILE_CONTEXT + member.id_index) if member.mobile_enc else "")


def new_person(rng: random.Random, region: str, today: datetime.date) -> dict:
    """A worker who is not a member yet: the join form's facts, with a valid ID number of `region`."""
    male = rng.random() < 0.55
    born = datetime.date(rng.randint(1972, today.year - 20), 1, 1) + datetime.timedelta(days=rng.randrange(365))
    body = f"{region}{born:%Y%m%d}{rng.randrange(500) * 2 + (1 if male else 0):03d}"
    migrant = rng.random() < 0.4
    return {"name": rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else ""),
            "id_number": body + idcard.check_char(body), "mobile": f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
            "ethnicity": "01", "education": rng.choice(["71", "61", "31", "21"]), "political_status": "13",
            "household_type": "agricultural" if migrant else "non_agricultural", "is_migrant_worker": migrant,
            "worker_group": rng.choice(["courier", "food_delivery", "truck_driver", ""]) if migrant else ""}


def load(demo) -> None:
    if demo.bulk:
        from . import bulk

        bulk.load(demo)
        return
    rng = demo.rng("portal")
    bound = _bind_members(demo, rng)
    cards = _cards(demo, rng, bound)
    scans = _scans(demo, rng)
    decided = _join_applications(demo, rng)
    demo.say(f"职工账号实名绑定 {len(bound)} 人，电子会员卡 {cards} 张，扫码 {scans} 次，网上入会申请 {decided} 件。")


def _bind_members(demo, rng) -> list[Member]:
    """Members of the county (the demo cast first) who signed up with their registered mobile and bound."""
    cast = [m for m in demo.members if m.mobile_enc]
    others = list(Member.objects.subtree(demo.county.org).active().exclude(mobile_enc="")
                  .exclude(pk__in=[m.pk for m in cast]).select_related("org").order_by("id")[:WORKERS * 3])
    rng.shuffle(others)
    bound = []
    for member in (cast + others)[:WORKERS]:
        id_number, mobile = numbers_of(member)
        with demo.at(demo.moment(rng, demo.day(rng, max(member.join_date, demo.first_day)))):
            worker = worker_for(mobile)
            actions.bind_member(worker=worker, name=member.name, id_number=id_number)
        bound.append(member)
    return bound


def _cards(demo, rng, members: list[Member]) -> int:
    issued = 0
    for member in members:
        worker = Worker.objects.get(member=member)
        opened = max(worker.created_at, demo.moment(rng, demo.first_day))
        with demo.at(opened + datetime.timedelta(minutes=rng.randint(1, 90))):
            card = actions.current_card(member)
            issued += 1
        for _ in range(rng.choice([0, 0, 1, 2, 3])):
            with demo.at(demo.moment(rng, demo.day(rng, opened.date()))):
                actions.record_card_check(card, CardCheck.Outcome.VALID)
    if members:  # a lost phone: the union revokes the card, the next visit issues a new one
        member = members[-1]
        card = member.cards.get(revoked_at__isnull=True)
        day = demo.day(rng, card.issued_at.date())
        with demo.at(demo.moment(rng, day)):
            actions.revoke_card(card=card, by=demo.town if member.org.is_within(demo.town.org) else demo.county,
                                reason="手机遗失")
        with demo.at(demo.moment(rng, min(day + datetime.timedelta(days=2), demo.today))):
            actions.current_card(member)
            actions.record_card_check(card, CardCheck.Outcome.REVOKED)
            issued += 1
    return issued


def _scans(demo, rng) -> int:
    union = demo.grassroots.org if demo.grassroots else demo.town.org
    with demo.at(demo.moment(rng, demo.first_day)):
        link = actions.join_link(union, by=demo.grassroots or demo.town)
    for _ in range(SCANS):
        with demo.at(demo.moment(rng, demo.day(rng))):
            actions.record_scan(link)
    return SCANS


def _join_applications(demo, rng) -> int:
    union = demo.grassroots.org if demo.grassroots else demo.town.org
    town = demo.town.org
    others = list(Org.objects.subtree(demo.county.org).filter(kind=Org.Kind.GRASSROOTS, status=Org.Status.ACTIVE)
                  .order_by("code")[:10])
    filed = 0
    for i in range(JOINERS):
        fate, returned_first = FATES[i % len(FATES)]
        channel = [JoinApplication.Channel.QR, JoinApplication.Channel.SEARCH,
                   JoinApplication.Channel.FEDERATION][i % 3]
        org = {JoinApplication.Channel.QR: union, JoinApplication.Channel.FEDERATION: town}.get(
            channel, others[i % len(others)] if others else union)
        raw = new_person(rng, org.region_code, demo.today)
        # The open ones recent (a union decides within days), the others over the year.
        day = demo.day(rng, demo.today - datetime.timedelta(days=6)) if fate == JoinApplication.Status.SUBMITTED \
            else demo.day(rng, end=demo.today - datetime.timedelta(days=10))
        moment = demo.moment(rng, day)
        try:
            with demo.at(moment):
                worker = worker_for(raw["mobile"])
                app = actions.submit_application(worker=worker, org=org, channel=channel, raw=raw,
                                                 employer_name="" if org.kind == Org.Kind.GRASSROOTS else "个体")
        except DomainError:  # an ID number or mobile drawn twice: that person is skipped
            continue
        filed += 1
        decider = demo.town if org.is_within(demo.town.org) else demo.county
        moment += datetime.timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 4))
        if returned_first or fate == JoinApplication.Status.RETURNED:
            with demo.at(moment):
                app = actions.return_application(application=app, by=decider, reason="请补充工作单位全称")
            if fate == JoinApplication.Status.RETURNED:
                continue
            moment += datetime.timedelta(days=1)
            with demo.at(moment):
                app = actions.resubmit_application(application=app, worker=worker, raw=raw,
                                                   employer_name="合肥某物流有限公司")
            moment += datetime.timedelta(days=1)
        with demo.at(moment):
            if fate == JoinApplication.Status.ACCEPTED:
                actions.accept_application(application=app, by=decider)
            elif fate == JoinApplication.Status.WITHDRAWN:
                actions.withdraw_application(application=app, worker=worker)
    return filed
