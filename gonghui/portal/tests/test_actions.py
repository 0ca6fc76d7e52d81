"""Issue 4: the portal's actions — sign-in codes (expiry, reuse, throttling), real-name binding, join
applications (QR, search, 不惊动单位, duplicates, accept and return), join links and card tokens.
Each test names the part of the issue it covers."""

import datetime

import pytest
from django.core import signing
from django.utils import timezone

from gonghui.common import codesets
from gonghui.common.errors import DomainError
from gonghui.common.models import AuditEntry
from gonghui.conftest import make_cadre
from gonghui.members.models import Member, MemberEvent
from gonghui.notifications.models import Notification
from gonghui.portal import actions, tokens
from gonghui.portal.models import JoinApplication, LoginCode, MemberCard, Worker

from .conftest import MOBILE, last_code, make_id, raw_facts, sign_up

pytestmark = pytest.mark.django_db
PERSON = make_id(region="110105", birth="19491231", seq=2)
OTHER = make_id(region="110105", birth="19491231", seq=4)


# Part 1: codes -------------------------------------------------------------------------------------

def test_code_sign_in_creates_the_account_once_and_sends_only_masked_numbers_to_the_audit(tree, sms_outbox):
    """Part 1: a first sign-in with a code is the sign-up; a second finds the same account."""
    worker = sign_up(sms_outbox)
    assert sms_outbox[0]["to"] == MOBILE and "5分钟内有效" in sms_outbox[0]["text"]
    assert worker.mobile_masked == "138****5678" and MOBILE not in worker.mobile_enc
    LoginCode.objects.update(created_at=timezone.now() - actions.RESEND_AFTER)
    again = sign_up(sms_outbox, ip="10.0.0.2")
    assert again.pk == worker.pk and Worker.objects.count() == 1
    entry = AuditEntry.objects.get(action="portal_signup")
    assert entry.changes == {"mobile": "138****5678"}


def test_code_is_single_use(tree, sms_outbox):
    """Part 1: a code works once."""
    actions.request_code(mobile_number=MOBILE, ip="10.0.0.1")
    code = last_code(sms_outbox)
    actions.sign_in_with_code(mobile_number=MOBILE, code=code, ip="10.0.0.1")
    with pytest.raises(DomainError, match="验证码错误或已过期"):
        actions.sign_in_with_code(mobile_number=MOBILE, code=code, ip="10.0.0.1")


def test_code_expires_after_five_minutes(tree, sms_outbox):
    """Part 1: codes expire."""
    actions.request_code(mobile_number=MOBILE, ip="10.0.0.1")
    LoginCode.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(DomainError, match="验证码错误或已过期"):
        actions.sign_in_with_code(mobile_number=MOBILE, code=last_code(sms_outbox), ip="10.0.0.1")


def test_code_spent_after_five_wrong_guesses(tree, sms_outbox):
    """Part 1: guessing a code: after CODE_ATTEMPTS wrong tries the right code no longer works."""
    actions.request_code(mobile_number=MOBILE, ip="10.0.0.1")
    code = last_code(sms_outbox)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(actions.CODE_ATTEMPTS):
        with pytest.raises(DomainError):
            actions.sign_in_with_code(mobile_number=MOBILE, code=wrong, ip=f"10.0.1.{_}")
    with pytest.raises(DomainError, match="验证码错误或已过期"):
        actions.sign_in_with_code(mobile_number=MOBILE, code=code, ip="10.0.0.9")


def test_mobile_change_code_guarded_like_sign_in(tree, sms_outbox):
    """Part 1 (review fix): proving a new mobile with a code has the sign-in's guard — wrong guesses spend the
    code after CODE_ATTEMPTS and count as failures — instead of unlimited guessing while signed in."""
    worker = sign_up(sms_outbox)
    new = "13900001111"
    actions.request_code(mobile_number=new, ip="10.0.0.1")
    code = last_code(sms_outbox)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for i in range(actions.CODE_ATTEMPTS):
        with pytest.raises(DomainError, match="验证码错误或已过期"):
            actions.change_mobile(worker=worker, mobile_number=new, code=wrong, ip=f"10.0.2.{i}")
    with pytest.raises(DomainError, match="验证码错误或已过期"):
        actions.change_mobile(worker=worker, mobile_number=new, code=code, ip="10.0.2.9")
    assert Worker.objects.get(pk=worker.pk).mobile_masked == "138****5678"
    assert LoginCode.objects.filter(attempts=actions.CODE_ATTEMPTS).count() == 1


def test_code_requests_rate_limited_per_number(tree, sms_outbox):
    """Part 1: one code a minute per number, CODES_PER_NUMBER_PER_HOUR an hour."""
    actions.request_code(mobile_number=MOBILE, ip="10.0.0.1")
    with pytest.raises(DomainError, match="60秒"):
        actions.request_code(mobile_number=MOBILE, ip="10.0.0.2")
    for _ in range(actions.CODES_PER_NUMBER_PER_HOUR - 1):
        LoginCode.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=2))
        actions.request_code(mobile_number=MOBILE, ip="10.0.0.1")
    LoginCode.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=2))
    with pytest.raises(DomainError, match="过于频繁，请1小时后再试"):
        actions.request_code(mobile_number=MOBILE, ip="10.0.0.1")
    assert len(sms_outbox) == actions.CODES_PER_NUMBER_PER_HOUR


def test_code_requests_for_many_numbers_from_one_address_throttled_and_audited(tree, sms_outbox):
    """Part 1: enumeration — many numbers from one address: throttled and audited, masked."""
    for i in range(actions.CODES_PER_IP_PER_HOUR):
        actions.request_code(mobile_number=f"1390000{i:04d}", ip="10.9.9.9")
    with pytest.raises(DomainError, match="当前网络"):
        actions.request_code(mobile_number="13900009999", ip="10.9.9.9")
    actions.request_code(mobile_number="13900009999", ip="10.9.9.8")  # another address is not held
    entry = AuditEntry.objects.get(action="portal_code_throttled")
    assert entry.outcome == "failure" and entry.changes == {"mobile": "139****9999", "ip": "10.9.9.9"}


def test_wrong_codes_for_many_numbers_from_one_address_throttled_and_audited(tree, sms_outbox):
    """Part 1: enumeration — many codes against many numbers: after FAILURES_PER_IP the address is held,
    even with the right code, and the throttle is audited."""
    for i in range(actions.FAILURES_PER_IP):
        with pytest.raises(DomainError, match="验证码错误"):
            actions.sign_in_with_code(mobile_number=f"1370000{i:04d}", code="000000", ip="10.8.8.8")
    actions.request_code(mobile_number=MOBILE, ip="10.0.0.1")
    with pytest.raises(DomainError, match="尝试次数过多"):
        actions.sign_in_with_code(mobile_number=MOBILE, code=last_code(sms_outbox), ip="10.8.8.8")
    assert actions.sign_in_with_code(mobile_number=MOBILE, code=last_code(sms_outbox), ip="10.0.0.1")
    assert AuditEntry.objects.filter(action="portal_signin_throttled", outcome="failure").exists()


def test_password_option(tree, sms_outbox):
    """Part 1: a worker may set a password and sign in with mobile + password; a wrong one is refused."""
    worker = sign_up(sms_outbox)
    with pytest.raises(DomainError, match="手机号或密码错误"):
        actions.sign_in_with_password(mobile_number=MOBILE, password="anything", ip="10.0.0.1")
    actions.set_password(worker=worker, password="Gonghui#2026x")
    assert actions.sign_in_with_password(mobile_number=MOBILE, password="Gonghui#2026x", ip="10.0.0.1") == worker.user
    with pytest.raises(DomainError):
        actions.set_password(worker=worker, password="123")


# Part 1: binding: gonghui/portal/tests/test_binding.py (issue 12, point 5) -------------------------

# Part 2: applications ---------------------------------------------------------------------------

def test_application_accepted_creates_the_member_through_the_actions_and_binds(worker, tree, sms_outbox,
                                                                               django_capture_on_commit_callbacks):
    """Part 2: the approver of the union accepts: member created (source online, joined event),
    the worker bound and notified; the decision is audited."""
    application = actions.submit_application(worker=worker, org=tree["G1111"], channel="search", raw=raw_facts())
    number = raw_facts()["id_number"]
    assert application.status == "submitted" and application.id_masked == number[:6] + "********" + number[-4:]
    approver = make_cadre(tree["T111"], "approver")  # a union above may decide
    with django_capture_on_commit_callbacks(execute=True):
        member = actions.accept_application(application=application, by=approver)
    assert (member.org, member.source, member.name) == (tree["G1111"], "online", "李四")
    assert member.education == codesets.lookup(codesets.EDUCATION, "本科")[0]
    assert MemberEvent.objects.get(member=member).kind == "joined"
    worker.refresh_from_db()
    assert worker.member == member
    assert Notification.objects.get(user=worker.user).text.startswith("您加入合肥瑶海机械有限公司工会的申请已通过")
    assert AuditEntry.objects.filter(action="portal_application_accept", actor=approver).exists()
    with pytest.raises(DomainError, match="已通过"):
        actions.accept_application(application=application, by=approver)


def test_application_returned_then_corrected_and_resubmitted(worker, tree, django_capture_on_commit_callbacks):
    """Part 2: returned with a reason the worker sees; corrected and resubmitted; then accepted."""
    application = actions.submit_application(worker=worker, org=tree["G1111"], channel="search", raw=raw_facts())
    approver = make_cadre(tree["G1111"], "approver")
    with pytest.raises(DomainError, match="请填写退回原因"):
        actions.return_application(application=application, by=approver, reason=" ")
    with django_capture_on_commit_callbacks(execute=True):
        actions.return_application(application=application, by=approver, reason="学历请填写最高学历")
    application.refresh_from_db()
    assert (application.status, application.reason) == ("returned", "学历请填写最高学历")
    assert Notification.objects.get(user=worker.user).text == (
        "您加入合肥瑶海机械有限公司工会的申请被退回：学历请填写最高学历")
    before = (application.id_index, application.mobile_masked)
    actions.resubmit_application(application=application, worker=worker,
                                 raw=raw_facts(education="硕士研究生", id_number="", mobile=""))
    application.refresh_from_db()
    assert (application.id_index, application.mobile_masked) == before  # empty: the numbers filed before
    master = codesets.lookup(codesets.EDUCATION, "硕士研究生")[0]
    assert (application.status, application.education, application.reason) == ("submitted", master, "")
    assert [e.status for e in application.events.all()] == ["submitted", "returned", "submitted"]
    assert actions.accept_application(application=application, by=approver).education == master


def test_application_facts_checked_as_the_import_checks_them(worker, tree):
    """Part 2: the same validation as import: every problem, on its field."""
    with pytest.raises(actions.ApplicationInvalid) as e:
        actions.submit_application(worker=worker, org=tree["G1111"], channel="search",
                                   raw=raw_facts(name="李4", id_number="340102199001015011", mobile="1234"))
    assert {f for f, _ in e.value.problems} == {"name", "id_number", "mobile"}
    assert not JoinApplication.objects.exists()


def test_application_of_a_member_active_elsewhere_guided_to_transfer(worker, tree, member_factory):
    """Part 2: duplicates caught: an active member is told to bind or ask the new union for a transfer,
    without being told where they are registered."""
    member_factory("G2111", id_number=make_id_501())
    with pytest.raises(DomainError) as e:
        actions.submit_application(worker=worker, org=tree["G1111"], channel="search", raw=raw_facts())
    assert e.value.message == actions.ALREADY_MEMBER_ELSEWHERE and "芜湖" not in e.value.message


def make_id_501() -> str:
    return raw_facts()["id_number"]


def test_application_one_open_at_a_time(worker, tree):
    """Part 2: a second application while one is open is refused."""
    actions.submit_application(worker=worker, org=tree["G1111"], channel="search", raw=raw_facts())
    with pytest.raises(DomainError, match="已有一份入会申请在办理中"):
        actions.submit_application(worker=worker, org=tree["G1112"], channel="search", raw=raw_facts())


def test_federation_path_goes_to_an_area_or_sector_union_only(worker, tree):
    """Part 2 (不惊动单位): the application goes to the street federation, not the employer's union, whose
    approvers cannot decide it; a grassroots union is not a federation target."""
    with pytest.raises(DomainError, match="只能提交给区域或行业工会"):
        actions.submit_application(worker=worker, org=tree["G1111"], channel="federation", raw=raw_facts())
    with pytest.raises(DomainError, match="只能提交给区域或行业工会"):  # the province is no federation target
        actions.submit_application(worker=worker, org=tree["P"], channel="federation", raw=raw_facts())
    with pytest.raises(DomainError, match="请选择一个基层工会"):  # found by search: grassroots unions only
        actions.submit_application(worker=worker, org=tree["T111"], channel="search", raw=raw_facts())
    application = actions.submit_application(worker=worker, org=tree["T111"], channel="federation",
                                             raw=raw_facts(), employer_name="合肥瑶海机械有限公司")
    employer_approver = make_cadre(tree["G1111"], "approver")
    with pytest.raises(DomainError, match="没有审核"):
        actions.accept_application(application=application, by=employer_approver)
    member = actions.accept_application(application=application, by=make_cadre(tree["T111"], "approver"))
    assert member.org == tree["T111"]


def test_decision_needs_an_approver_of_the_union_or_above(worker, tree):
    """Part 2: an operator, or an approver of another subtree, cannot decide."""
    application = actions.submit_application(worker=worker, org=tree["G1111"], channel="search", raw=raw_facts())
    for outsider in (make_cadre(tree["G1111"], "operator"), make_cadre(tree["K12"], "approver")):
        with pytest.raises(DomainError, match="没有审核"):
            actions.return_application(application=application, by=outsider, reason="x")
    assert JoinApplication.objects.get().status == "submitted"


# Part 3: join links -----------------------------------------------------------------------------

def test_join_link_rotation_and_revocation_invalidate_old_posters(tree):
    """Part 3: the token names the union and version, signed; rotating or revoking kills old ones."""
    org_admin = make_cadre(tree["G1111"], "org_admin")
    link = actions.join_link(tree["G1111"], by=org_admin)
    first = tokens.join_token(link)
    assert tokens.join_link_for(first) == link
    assert tokens.join_link_for(first[:-2] + ("AA" if first[-2:] != "AA" else "BB")) is None  # forged
    actions.rotate_join_link(org=tree["G1111"], by=org_admin)
    link.refresh_from_db()
    second = tokens.join_token(link)
    assert tokens.join_link_for(first) is None and tokens.join_link_for(second) == link
    actions.rotate_join_link(org=tree["G1111"], by=org_admin, revoke=True)
    assert tokens.join_link_for(second) is None
    with pytest.raises(DomainError, match="没有管理"):
        actions.rotate_join_link(org=tree["G1111"], by=make_cadre(tree["G1211"], "org_admin"))


# Part 4: cards ----------------------------------------------------------------------------------

def _member_card(member_factory):
    return actions.current_card(member_factory())


def test_card_token_signature_expiry_and_revocation(tree, member_factory):
    """Part 4: a genuine fresh token finds the card; a forged one nothing; an old one says expired;
    a revoked card is no longer current and the next visit issues a new one."""
    card = _member_card(member_factory)
    token = tokens.card_token(card)
    assert tokens.card_for(token) == card and card.current
    assert tokens.card_for(token.replace(token[-5:], "xxxxx")) is None
    signer = signing.TimestampSigner(salt=tokens.CARD_SALT)
    past = timezone.now() - tokens.CARD_TOKEN_TTL - datetime.timedelta(seconds=5)
    signer.timestamp = lambda: signing.b62_encode(int(past.timestamp()))  # a token shown 5 minutes ago
    with pytest.raises(tokens.CardTokenExpired) as e:
        tokens.card_for(signer.sign_object({"c": card.pk}, compress=True))
    assert e.value.card == card
    actions.revoke_card(card=card, by=make_cadre(tree["G1111"], "operator"), reason="手机丢失")
    card.refresh_from_db()
    assert not card.current and card.revoked_reason == "手机丢失"
    reissued = actions.current_card(card.member)
    assert reissued.pk != card.pk and reissued.current


def test_card_reissued_after_a_transfer(tree, member_factory):
    """Part 4: a transfer makes the card stale; the card page issues one for the new union."""
    from gonghui.members.actions import decide_transfer, request_transfer

    member = member_factory(name="赵六", id_number=PERSON)
    card = actions.current_card(member)
    transfer = request_transfer(id_number=PERSON, name="赵六", to_org=tree["G1112"],
                                by=make_cadre(tree["G1112"], "operator"))
    decide_transfer(transfer, approve=True, by=make_cadre(tree["G1111"], "approver"), note="")
    card.refresh_from_db()
    assert not card.current
    new = actions.current_card(Member.objects.get(pk=member.pk))
    assert new.org == tree["G1112"] and MemberCard.objects.filter(member=member, revoked_at__isnull=True).count() == 1


def test_own_details_only_through_the_bound_account(worker, member_factory):
    """Part 4 (review fix): `members.actions.update_own_details` changes only the member bound to the worker
    account acting, whatever page calls it."""
    from gonghui.members.actions import update_own_details

    mine, other = member_factory(name="本人甲"), member_factory(name="他人乙")
    Worker.objects.filter(pk=worker.pk).update(member=mine)
    user = Worker.objects.get(pk=worker.pk).user
    with pytest.raises(DomainError, match="只能更正本人绑定的会员信息"):
        update_own_details(other, changes={"education": "本科"}, by=user)
    assert update_own_details(mine, changes={"education": "本科"}, by=user).education != ""
    assert Member.objects.get(pk=other.pk).education == other.education
