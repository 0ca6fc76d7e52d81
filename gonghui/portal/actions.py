"""Writes of the worker portal: sign-in codes, worker accounts, binding, join applications, join links
and member cards. Each runs in one transaction, raises DomainError with a Chinese message and writes
an audit entry in which personal data appears only masked; SMS and notifications go out after commit."""

import datetime
import hmac
import secrets
from typing import NoReturn

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from gonghui.accounts.actions import check_password_policy
from gonghui.accounts.sms import send_sms
from gonghui.common import audit, idcard, mobile, pii, states
from gonghui.common.actors import is_system
from gonghui.common.errors import DomainError
from gonghui.members import actions as member_actions
from gonghui.members import facts as member_facts
from gonghui.members.forms import stored_mobile
from gonghui.members.models import Member
from gonghui.notifications.actions import notify
from gonghui.orgs.models import Org

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
    LoginCode,
    MemberCard,
    QrScan,
    SignInFailure,
    Worker,
)
from .queries import (
    FEDERATION_KINDS,
    can_decide_applications,
    can_decide_binding,
    can_manage_cards,
    can_manage_join_link,
)

CODE_DIGITS = 6
CODE_TTL = datetime.timedelta(minutes=5)
CODE_ATTEMPTS = 5  # wrong guesses before a code is spent
RESEND_AFTER = datetime.timedelta(seconds=60)
CODES_PER_NUMBER_PER_HOUR = 5
CODES_PER_IP_PER_HOUR = 20
FAILURES_PER_IP = 10  # wrong codes or passwords from one address in FAILURE_WINDOW, any numbers
FAILURES_PER_NUMBER = 10
FAILURE_WINDOW = datetime.timedelta(minutes=15)

OPEN = (JoinApplication.Status.SUBMITTED, JoinApplication.Status.RETURNED)

WRONG_CODE = "验证码错误或已过期，请重新获取。"
THROTTLED = "尝试次数过多，请15分钟后再试。"
NOT_A_MEMBER_YET = "没有找到与该姓名、身份证号一致的在会会员记录。如尚未入会，可以在线申请入会。"
ALREADY_MEMBER_ELSEWHERE = ("您已是在会会员（在其他工会登记），不能重复入会。如已更换工作单位，请联系新单位工会，"
                            "由其为您申请转会；也可以先用“实名绑定”关联您的会员记录。")


def _index(number: str) -> str:
    return pii.blind_index(number, purpose="mobile")


def _code_hash(index: str, code: str) -> str:
    # Keyed like the blind indexes: a leaked table gives no code (10^6 values are easily tried otherwise).
    return pii.blind_index(f"{index}:{code}", purpose="login_code")


# Sign-in ----------------------------------------------------------------------------------------

def request_code(*, mobile_number: str, ip: str | None, purpose: str = LoginCode.Purpose.SIGN_IN,
                 worker: Worker | None = None) -> None:
    """Send a code to `mobile_number`, within the rate limits per number and per address (shared by every
    purpose: they protect the phone, whoever asks). A sign-in code is for whoever types it; a binding code
    (`purpose` BIND) only for `worker`, and its text names that account so the member can tell a stranger's
    attempt."""
    number = mobile.normalize(mobile_number)
    index = _index(number)
    now = timezone.now()
    hour_ago = now - datetime.timedelta(hours=1)
    with transaction.atomic():
        recent = LoginCode.objects.filter(mobile_index=index, created_at__gte=hour_ago)
        if recent.filter(created_at__gte=now - RESEND_AFTER).exists():
            raise DomainError("验证码已发送，请60秒后再重新获取。", field="mobile")
        if recent.count() >= CODES_PER_NUMBER_PER_HOUR:
            raise DomainError("该手机号获取验证码过于频繁，请1小时后再试。", field="mobile")
        from_ip = LoginCode.objects.filter(ip=ip, created_at__gte=hour_ago).count() if ip else 0
        throttled = from_ip >= CODES_PER_IP_PER_HOUR
        if not throttled:
            code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
            LoginCode.objects.create(mobile_index=index, code_hash=_code_hash(index, code), ip=ip,
                                     expires_at=now + CODE_TTL, purpose=purpose, worker=worker)
    if throttled:  # many numbers from one address: enumeration; recorded although the request fails
        audit.record("portal_code_throttled", changes={"mobile": pii.mask_mobile(number), "ip": ip},
                     outcome="failure")
        raise DomainError("当前网络获取验证码过于频繁，请稍后再试。", field="mobile")
    minutes = CODE_TTL.seconds // 60
    if purpose == LoginCode.Purpose.BIND:
        send_sms(number, f"您的验证码是{code}，用于将您的工会会员记录绑定到职工账号{worker.mobile_masked}，"
                         f"{minutes}分钟内有效。如非本人操作，请勿告诉他人。")
    else:
        send_sms(number, f"您的验证码是{code}，{minutes}分钟内有效。请勿告诉他人。")


def _throttled(index: str, ip: str | None) -> bool:
    since = timezone.now() - FAILURE_WINDOW
    if SignInFailure.objects.filter(mobile_index=index, at__gte=since).count() >= FAILURES_PER_NUMBER:
        return True
    return bool(ip) and SignInFailure.objects.filter(ip=ip, at__gte=since).count() >= FAILURES_PER_IP


def _fail(index: str, number: str, ip: str | None, how: str) -> None:
    """Count a wrong code or password; the one that reaches a throttle is audited (enumeration)."""
    SignInFailure.objects.create(mobile_index=index, ip=ip)
    if _throttled(index, ip):
        audit.record("portal_signin_throttled", changes={"mobile": pii.mask_mobile(number), "ip": ip, "by": how},
                     outcome="failure")


def _use_code(index: str, number: str, code: str, ip: str | None, *, field: str = "code",
              purpose: str = LoginCode.Purpose.SIGN_IN, worker: Worker | None = None) -> None:
    """Spend the latest live code of `purpose` sent to `number` (for a binding code: asked by `worker`) if
    `code` matches it, else DomainError. Throttled per number and address; a wrong guess is counted against
    the code (spent after CODE_ATTEMPTS) and as a failure. Sign-in, the change of mobile and binding all go
    through here."""
    code = (code or "").strip()
    with transaction.atomic():
        if _throttled(index, ip):
            raise DomainError(THROTTLED, field=field)
        now = timezone.now()
        sent = (LoginCode.objects.select_for_update().filter(mobile_index=index, used_at__isnull=True,
                                                             expires_at__gt=now, attempts__lt=CODE_ATTEMPTS,
                                                             purpose=purpose, worker=worker)
                .order_by("-created_at").first())
        if sent is None or not hmac.compare_digest(sent.code_hash, _code_hash(index, code)):
            if sent is not None:
                sent.attempts += 1
                sent.save(update_fields=["attempts"])
            _fail(index, number, ip, "code")
            failed = True
        else:
            sent.used_at = now
            sent.save(update_fields=["used_at"])
            failed = False
    if failed:  # outside the atomic block: the failure is counted even though the request fails
        raise DomainError(WRONG_CODE, field=field)


def sign_in_with_code(*, mobile_number: str, code: str, ip: str | None):
    """The worker's user for a right code (a first sign-in creates the account: 注册), else DomainError.
    A code is used once; wrong guesses spend it after CODE_ATTEMPTS; throttled per number and address."""
    number = mobile.normalize(mobile_number)
    index = _index(number)
    _use_code(index, number, code, ip)
    return _worker_user(number, index)


def _worker_user(number: str, index: str):
    worker = Worker.objects.select_related("user").filter(mobile_index=index).first()
    if worker is not None:
        return worker.user
    User = get_user_model()
    try:
        with transaction.atomic():
            user = User.objects.create(username=f"w{secrets.token_hex(8)}", is_staff=False)
            user.set_unusable_password()
            user.save(update_fields=["password"])
            worker = Worker.objects.create(user=user, mobile_index=index, mobile_masked=pii.mask_mobile(number),
                                           mobile_enc=pii.encrypt(number, context=MOBILE_CONTEXT + index))
            audit.record("portal_signup", actor=user, obj=worker, changes={"mobile": worker.mobile_masked})
    except IntegrityError:  # the same number signed up at the same moment elsewhere
        return Worker.objects.get(mobile_index=index).user
    return user


def sign_in_with_password(*, mobile_number: str, password: str, ip: str | None):
    """The worker's user for a right mobile and password (set on the account page), else DomainError."""
    number = mobile.normalize(mobile_number)
    index = _index(number)
    if _throttled(index, ip):
        raise DomainError(THROTTLED, field="password")
    worker = Worker.objects.select_related("user").filter(mobile_index=index).first()
    if worker is None or not worker.user.is_active or not worker.user.check_password(password or ""):
        _fail(index, number, ip, "password")
        raise DomainError("手机号或密码错误；也可以用短信验证码登录。", field="password")
    return worker.user


def set_password(*, worker: Worker, password: str) -> None:
    check_password_policy(password, worker.user)  # the cadre accounts' rules (等保) apply
    worker.user.set_password(password)
    worker.user.save(update_fields=["password"])
    audit.record("portal_password_set", actor=worker.user, obj=worker)


def change_mobile(*, worker: Worker, mobile_number: str, code: str, ip: str | None) -> Worker:
    """Move the account (and the bound member record's mobile) to a new number proven by a code sent to it."""
    number = mobile.normalize(mobile_number)
    index = _index(number)
    if Worker.objects.filter(mobile_index=index).exclude(pk=worker.pk).exists():
        raise DomainError("该手机号已注册了另一个账号。", field="mobile")
    _use_code(index, number, code, ip)  # the same guard as sign-in: wrong guesses counted and throttled
    with transaction.atomic():
        before = worker.mobile_masked
        worker.mobile_index, worker.mobile_masked = index, pii.mask_mobile(number)
        worker.mobile_enc = pii.encrypt(number, context=MOBILE_CONTEXT + index)
        worker.save()
        if worker.member_id:
            member_actions.update_own_details(worker.member, changes={"mobile": number}, by=worker.user)
        audit.record("portal_mobile_changed", actor=worker.user, obj=worker,
                     changes={"mobile": [before, worker.mobile_masked]})
    return worker


# Real-name binding (实名绑定) ---------------------------------------------------------------------

BIND_ATTEMPTS_PER_WORKER = 5  # tries (details or a code, whatever the outcome) per account in BIND_WINDOW
BIND_ATTEMPTS_PER_IP = 20  # from one address, any accounts
BIND_WINDOW = datetime.timedelta(hours=1)
BIND_THROTTLED = "实名绑定尝试次数过多，请1小时后再试。"
BOUND_ELSEWHERE = "该会员记录已绑定其他账号；如非本人操作，请联系所在工会。"
Via = BindingRequest.Via


def _count_binding_attempt(worker: Worker, ip: str | None, **changes) -> None:
    """Count one try at binding, or, when the account or the address has had its share, audit the refusal and
    raise. Written in its own transaction before the try, so a failed try counts too."""
    since = timezone.now() - BIND_WINDOW
    throttled = (BindingAttempt.objects.filter(worker=worker, at__gte=since).count() >= BIND_ATTEMPTS_PER_WORKER
                 or bool(ip) and BindingAttempt.objects.filter(ip=ip, at__gte=since).count() >= BIND_ATTEMPTS_PER_IP)
    if throttled:
        audit.record("portal_bind_throttled", actor=worker.user, obj=worker, outcome="failure",
                     changes={**changes, "ip": ip})
        raise DomainError(BIND_THROTTLED)
    BindingAttempt.objects.create(worker=worker, ip=ip)


def _refuse_binding(worker: Worker, obj, message: str, result: str, **changes) -> NoReturn:
    audit.record("portal_bind", actor=worker.user, obj=obj, outcome="failure", changes={"result": result, **changes})
    raise DomainError(message, field="id_number")


def _binding_problem(worker: Worker, member: Member) -> str | None:
    """Why `worker` cannot be bound to `member` now (read under the callers' locks), or None."""
    if worker.member_id:
        return "该职工账号已绑定会员记录。"
    if member.status != Member.Status.ACTIVE:
        return "该会员记录已不在会，不能绑定。"
    if Worker.objects.filter(member=member).exists():
        return BOUND_ELSEWHERE
    return None


def _bind(binding: BindingRequest, *, by) -> None:
    """Bind the request's account to its member, in the caller's transaction (both rows locked and checked)."""
    worker = Worker.objects.select_for_update().get(pk=binding.worker_id)
    worker.member = binding.member
    worker.save(update_fields=["member"])
    binding.status, binding.decided_at, binding.decided_by = BindingRequest.Status.BOUND, timezone.now(), by
    binding.save(update_fields=["status", "decided_at", "decided_by"])
    audit.record("portal_bind", actor=by, obj=binding, changes={
        "member": binding.member.member_number, "id_number": binding.member.id_masked, "via": binding.via})


def bind_member(*, worker: Worker, name: str, id_number: str, ip: str | None = None) -> BindingRequest:
    """Step 1 of 实名绑定: the name and ID number of the worker's member record. When they match an active
    member not bound to another account, a BindingRequest is made, proven according to the record:
    - its registered mobile is the account's own sign-in mobile: bound at once (the sign-in proved it);
    - it has another registered mobile: a code goes to that mobile, for `bind_with_code`;
    - it has none: the request waits for the member's union (`confirm_binding` / `reject_binding`).
    Every try counts against the binding throttle and is audited, the ID number masked.

    "No such member" and "the name differs" get one answer, the same error, before anything else about the
    record is read (whether it has a mobile). An error rather than a "if the details are right, a code was
    sent" page for every try: a match has to say where the code went (or that the union will confirm), so
    that page could only look the same for a non-match by showing a made-up number, and a worker who
    mistyped would wait for a code that never comes."""
    info = idcard.parse(id_number)
    masked = pii.mask_id(info.number)
    index = pii.blind_index(info.number, purpose="id_number")
    _count_binding_attempt(worker, ip, id_number=masked)
    refusal = None
    with transaction.atomic():
        worker = Worker.objects.select_for_update().select_related("user").get(pk=worker.pk)
        member = Member.objects.select_for_update().filter(id_index=index, status=Member.Status.ACTIVE).first()
        if worker.member_id:
            refusal = ("您的账号已绑定会员记录。", "账号已绑定")
        elif BindingRequest.objects.filter(worker=worker, via=Via.UNION, status=BindingRequest.Status.PENDING).exists():
            refusal = ("您的实名绑定申请正在等待工会确认，请耐心等待。", "等待工会确认")
        elif member is None or member.name != (name or "").strip():
            refusal = (NOT_A_MEMBER_YET, "信息不符")
        elif Worker.objects.filter(member=member).exists():
            refusal = (BOUND_ELSEWHERE, "会员记录已绑定其他账号")
        else:
            number = stored_mobile(member)
            via = Via.UNION if not number else Via.SIGN_IN if _index(number) == worker.mobile_index else Via.SMS
            BindingRequest.objects.filter(worker=worker, status=BindingRequest.Status.PENDING).update(
                status=BindingRequest.Status.LAPSED)
            binding = BindingRequest.objects.create(worker=worker, member=member, via=via)
            if via == Via.SIGN_IN:
                _bind(binding, by=worker.user)
            else:
                audit.record("portal_bind_request", actor=worker.user, obj=binding, changes={
                    "member": member.member_number, "id_number": masked, "via": via})
    if refusal:
        _refuse_binding(worker, worker, *refusal, id_number=masked)
    if binding.via == Via.SMS:
        send_binding_code(worker=worker, ip=ip)
    return binding


def _pending_sms_binding(worker: Worker) -> BindingRequest:
    binding = (BindingRequest.objects.select_related("member").filter(
        worker=worker, via=Via.SMS, status=BindingRequest.Status.PENDING).first())
    if binding is None:
        raise DomainError("请先填写姓名和身份证号。", field="id_number")
    return binding


def send_binding_code(*, worker: Worker, ip: str | None = None) -> BindingRequest:
    """Send (again) the code of the worker's pending binding to the member's registered mobile, as it is now;
    the limits per number and address are `request_code`'s."""
    binding = _pending_sms_binding(worker)
    number = stored_mobile(binding.member)
    if not number:
        raise DomainError("会员登记手机已变更，请重新填写姓名和身份证号。", field="code")
    try:
        request_code(mobile_number=number, ip=ip, purpose=LoginCode.Purpose.BIND, worker=worker)
    except DomainError as e:
        raise DomainError(e.message, field="code") from None
    return binding


def bind_with_code(*, worker: Worker, code: str, ip: str | None = None) -> Member:
    """Step 2 of 实名绑定: the code sent to the member's registered mobile binds the account. A wrong code is
    counted three ways (against the code, the number's sign-in failures, the account's binding tries) and
    audited."""
    binding = _pending_sms_binding(worker)
    _count_binding_attempt(worker, ip, member=binding.member.member_number)
    number = stored_mobile(binding.member)
    try:
        _use_code(_index(number), number, code, ip, purpose=LoginCode.Purpose.BIND, worker=worker)
    except DomainError as e:
        audit.record("portal_bind", actor=worker.user, obj=binding, outcome="failure",
                     changes={"result": "验证码错误", "member": binding.member.member_number})
        raise DomainError(e.message, field="code") from None
    problem = None
    with transaction.atomic():
        binding = BindingRequest.objects.select_for_update().select_related("member").get(pk=binding.pk)
        member = Member.objects.select_for_update().get(pk=binding.member_id)
        problem = ("该绑定申请已失效，请重新填写。" if binding.status != BindingRequest.Status.PENDING
                   else _binding_problem(Worker.objects.select_for_update().get(pk=worker.pk), member))
        if problem is None:
            _bind(binding, by=worker.user)
    if problem:
        _refuse_binding(worker, binding, problem, problem, member=binding.member.member_number)
    return binding.member


def _lock_for_union(binding: BindingRequest, by) -> BindingRequest:
    binding = BindingRequest.objects.select_for_update().get(pk=binding.pk)
    if not can_decide_binding(by, binding):
        raise DomainError("您没有确认该会员实名绑定的权限（须为会员所在工会或上级工会的经办人、单位管理员）。")
    if binding.via != Via.UNION or binding.status != BindingRequest.Status.PENDING:
        raise DomainError(f"该申请{binding.get_status_display()}，无需再办理（可能已由他人处理）。")
    return binding


def confirm_binding(*, binding: BindingRequest, by) -> BindingRequest:
    """The member's union confirms a binding whose record has no registered mobile, having checked the
    person (in person, through the employer): an 经办人 or 单位管理员 of the member's union or above. Binds
    the account; the worker's pages show it."""
    with transaction.atomic():
        binding = _lock_for_union(binding, by)
        member = Member.objects.select_for_update().get(pk=binding.member_id)
        problem = _binding_problem(Worker.objects.select_for_update().get(pk=binding.worker_id), member)
        if problem:
            raise DomainError(problem)
        _bind(binding, by=by)
    return binding


def reject_binding(*, binding: BindingRequest, by, reason: str) -> BindingRequest:
    """The union turns a binding down with a reason the worker reads on their binding page; they may try again."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写驳回原因，申请人将看到这段说明。", field="reason")
    with transaction.atomic():
        binding = _lock_for_union(binding, by)
        binding.status, binding.reason = BindingRequest.Status.REJECTED, reason[:200]
        binding.decided_at, binding.decided_by = timezone.now(), by
        binding.save(update_fields=["status", "reason", "decided_at", "decided_by"])
        audit.record("portal_bind_reject", actor=by, obj=binding, changes={
            "member": binding.member.member_number, "reason": binding.reason})
    return binding


# Join links (扫码入会) -------------------------------------------------------------------------------

def join_link(org: Org, *, by) -> JoinLink:
    """The union's join link, made on first use (its version 1) by `by`, the cadre who asked for it."""
    is_system(by)  # refuses None
    link, created = JoinLink.objects.get_or_create(org=org)
    if created:
        audit.record("portal_join_link", actor=by, obj=link, changes={"version": [None, 1]})
    return link


def rotate_join_link(*, org: Org, by, revoke: bool = False) -> JoinLink:
    """A new version of the union's link (old posters stop working), or, with `revoke`, no valid link."""
    if not can_manage_join_link(by, org):
        raise DomainError("您没有管理该工会入会二维码的权限。")
    with transaction.atomic():
        link = JoinLink.objects.select_for_update().get(pk=join_link(org, by=by).pk)
        before = (link.version, link.revoked)
        if revoke:
            link.revoked = True
        else:
            link.version, link.revoked = link.version + 1, False
        link.save()
        audit.record("portal_join_link", actor=by, obj=link,
                     changes={"version": [before[0], link.version], "revoked": [before[1], link.revoked]})
    return link


def record_scan(link: JoinLink) -> None:
    QrScan.objects.create(link=link)


def record_card_check(card: MemberCard, outcome: str) -> None:
    """A public check of a card's QR code, counted for `portal.cards_verified`."""
    CardCheck.objects.create(card=card, outcome=outcome)


# Join applications ------------------------------------------------------------------------------

def _checked_facts(raw: dict) -> tuple[member_facts.Facts, list[tuple[str, str]]]:
    raw = dict(raw)
    raw["member_number"] = ""  # numbers are issued on acceptance
    checked, problems = member_facts.clean(raw)
    if checked is None:
        raise ApplicationInvalid(problems)
    return checked, problems


class ApplicationInvalid(DomainError):
    """The application's facts fail `members.facts.clean`: every problem, for the form."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("；".join(m for _, m in problems), field=problems[0][0] if problems else None)
        self.problems = problems


def _set_facts(application: JoinApplication, facts: member_facts.Facts) -> None:
    index = pii.blind_index(facts.id_number, purpose="id_number")
    application.name, application.id_index = facts.name, index
    application.id_number_enc = pii.encrypt(facts.id_number, context=APPLICATION_ID_CONTEXT + index)
    application.id_masked = pii.mask_id(facts.id_number)
    application.mobile_enc = (pii.encrypt(facts.mobile, context=APPLICATION_MOBILE_CONTEXT + index)
                              if facts.mobile else "")
    application.mobile_masked = pii.mask_mobile(facts.mobile) if facts.mobile else ""
    for field in ("gender", "birth_date", "ethnicity", "education", "political_status", "household_type",
                  "is_migrant_worker", "worker_group"):
        setattr(application, field, getattr(facts, field))


def _check_not_a_member(worker: Worker, index: str) -> None:
    if worker.member_id:
        raise DomainError("您已是会员，无需再申请入会。")
    if Member.objects.filter(id_index=index, status=Member.Status.ACTIVE).exists():
        raise DomainError(ALREADY_MEMBER_ELSEWHERE, field="id_number")


def _check_target(org: Org, channel: str) -> None:
    if org.status != Org.Status.ACTIVE:
        raise DomainError("该工会已撤销或合并，请选择其他工会。", field="org")
    # The unions find_unions offers, checked here too (an id can be posted by hand).
    if channel == JoinApplication.Channel.FEDERATION and (
            org.kind not in FEDERATION_KINDS or org.level in (Org.Level.NATIONAL, Org.Level.PROVINCE)):
        raise DomainError("“不通知单位”的申请只能提交给区域或行业工会（如乡镇街道、县区总工会或行业工会联合会）。",
                          field="org")
    if channel == JoinApplication.Channel.SEARCH and org.kind not in (Org.Kind.GRASSROOTS, Org.Kind.JOINT):
        raise DomainError("请选择一个基层工会或联合基层工会；不便通知单位时可选择区域或行业工会。", field="org")


def submit_application(*, worker: Worker, org: Org, channel: str, raw: dict,
                       employer_name: str = "") -> JoinApplication:
    """File an online application to join `org` (网上申请入会): the member facts are checked as the
    import checks them; an active member is refused and guided to binding or a transfer."""
    if channel not in JoinApplication.Channel.values:
        raise DomainError("申请方式无效。")
    _check_target(org, channel)
    facts, _ = _checked_facts(raw)
    index = pii.blind_index(facts.id_number, purpose="id_number")
    with transaction.atomic():
        worker = Worker.objects.select_for_update().get(pk=worker.pk)
        _check_not_a_member(worker, index)
        if JoinApplication.objects.filter(worker=worker, status__in=OPEN).exists():
            raise DomainError("您已有一份入会申请在办理中，请等待审核结果，或在“我的申请”中修改后重新提交。")
        application = JoinApplication(worker=worker, org=org, channel=channel, employer_name=employer_name.strip(),
                                      submitted_at=timezone.now())
        _set_facts(application, facts)
        application.save()
        ApplicationEvent.objects.create(application=application, status=application.status, by=worker.user,
                                        note=f"通过“{application.get_channel_display()}”提交")
        audit.record("portal_application_submit", actor=worker.user, obj=application,
                     changes={"org": str(org), "channel": channel, "id_number": application.id_masked})
    return application


def worker_mobile(worker: Worker) -> str:
    """The account's own (verified) number, to fill in an application form."""
    return pii.decrypt(worker.mobile_enc, context=MOBILE_CONTEXT + worker.mobile_index)


def _stored_numbers(application: JoinApplication) -> tuple[str, str]:
    index = application.id_index
    return (pii.decrypt(application.id_number_enc, context=APPLICATION_ID_CONTEXT + index),
            pii.decrypt(application.mobile_enc, context=APPLICATION_MOBILE_CONTEXT + index)
            if application.mobile_enc else "")


# The join application's state machine: transition → the states it may leave. Filing (submit_application)
# creates an application in 待审核; the four transitions below are `transition_application`'s.
JA = JoinApplication.Status
ALLOWED = {
    JA.SUBMITTED: frozenset({JA.RETURNED}),  # 修改后重新提交
    JA.RETURNED: frozenset({JA.SUBMITTED}),
    JA.ACCEPTED: frozenset({JA.SUBMITTED}),
    JA.WITHDRAWN: frozenset({JA.SUBMITTED, JA.RETURNED}),
}
MACHINE = states.Machine(JoinApplication, allowed=ALLOWED, noun="该申请", verbs={
    JA.SUBMITTED: "重新提交", JA.RETURNED: "退回", JA.ACCEPTED: "审核通过", JA.WITHDRAWN: "撤回"})
WORKER_MOVES = frozenset({JA.SUBMITTED, JA.WITHDRAWN})


def transition_application(application: JoinApplication, *, to: str, by, reason: str = "",
                           facts: member_facts.Facts | None = None, employer_name: str | None = None):
    """The one way a join application changes state, under a row lock (of two cadres deciding at once one
    wins, the other is told it was handled). Each transition writes an ApplicationEvent and an audit entry.

    - 待审核 → 已通过 (accept), by an approver of the union or above (not the applicant): the member record is
      entered through `members.actions.join_member` (joined today), the worker's account is bound to it and
      the worker notified. Returns the member.
    - 待审核 → 已退回 (return), by such an approver, with `reason` (the worker sees it); they may correct it.
    - 已退回 → 待审核 (resubmit), by the worker, with the corrected `facts` (and `employer_name`).
    - 待审核/已退回 → 已撤回 (withdraw), by the worker.
    Returns the application (the member for an acceptance)."""
    reason = (reason or "").strip()
    if to == JA.RETURNED and not reason:
        raise DomainError("请填写退回原因，申请人将看到这段说明。", field="reason")
    with transaction.atomic():
        app = MACHINE.lock(application, to, by=by, related=("org", "worker"))
        if to in WORKER_MOVES:
            if app.worker.user_id != by.pk:
                raise DomainError("只有申请人本人可以进行此操作。")
        elif not is_system(by):
            if not can_decide_applications(by, app.org):
                raise DomainError("您没有审核该工会入会申请的权限（须为本级或上级工会的审核人）。")
            if app.worker.user_id == by.pk:
                raise DomainError("不能审核自己的申请。")
        if to == JA.SUBMITTED:
            return _resubmit(app, by=by, facts=facts, employer_name=employer_name)
        if to == JA.WITHDRAWN:
            MACHINE.move(app, to=to, by=by, audit_as="portal_application_withdraw")
            ApplicationEvent.objects.create(application=app, status=app.status, by=by)
            return app
        app.decided_at, app.decided_by = timezone.now(), by
        if to == JA.RETURNED:
            app.reason = reason[:200]
            MACHINE.move(app, to=to, by=by, audit_as="portal_application_return", changes={"reason": app.reason})
            ApplicationEvent.objects.create(application=app, status=app.status, by=by, note=app.reason)
            notify(app.worker.user, text=f"您加入{app.org.name}的申请被退回：{reason[:100]}",
                   link=f"/w/applications/{app.pk}/")
            return app
        return _accept(app, by=by)


def _resubmit(app: JoinApplication, *, by, facts, employer_name) -> JoinApplication:
    if facts is None:
        raise TypeError("resubmitting a join application needs the corrected facts (resubmit_application).")
    _check_not_a_member(app.worker, pii.blind_index(facts.id_number, purpose="id_number"))
    _set_facts(app, facts)
    if employer_name is not None:
        app.employer_name = employer_name.strip()
    app.reason, app.submitted_at = "", timezone.now()
    MACHINE.move(app, to=JA.SUBMITTED, by=by, audit_as="portal_application_resubmit")
    ApplicationEvent.objects.create(application=app, status=app.status, by=by, note="修改后重新提交")
    return app


def _accept(app: JoinApplication, *, by) -> Member:
    id_number, mobile_number = _stored_numbers(app)
    raw = {"name": app.name, "id_number": id_number, "mobile": mobile_number} | {f: getattr(app, f) for f in (
        "gender", "birth_date", "ethnicity", "education", "political_status", "household_type",
        "is_migrant_worker", "worker_group")}
    facts, _ = _checked_facts(raw)
    member = member_actions.join_member(org=app.org, facts=facts, by=by, source=Member.Source.ONLINE,
                                        note=app.get_channel_display(), authorised=True)
    app.member = member
    MACHINE.move(app, to=JA.ACCEPTED, by=by, audit_as="portal_application_accept",
                 changes={"member": member.member_number, "org": str(app.org)})
    worker = Worker.objects.select_for_update().get(pk=app.worker_id)
    worker.member = member
    worker.save(update_fields=["member"])
    ApplicationEvent.objects.create(application=app, status=app.status, by=by, note=f"会员证号 {member.member_number}")
    notify(worker.user, text=f"您加入{app.org.name}的申请已通过，欢迎入会！电子会员卡已可使用。", link="/w/card/")
    return member


def resubmit_application(*, application: JoinApplication, worker: Worker, raw: dict,
                         employer_name: str | None = None) -> JoinApplication:
    """The worker corrects a returned application and submits it again. An empty ID or mobile keeps the
    number filed before (the page never shows it again)."""
    if application.worker_id != worker.pk:
        raise DomainError("只有申请人本人可以进行此操作。")
    stored_id, stored_mobile = _stored_numbers(application)
    raw = dict(raw)
    if not (raw.get("id_number") or "").strip():
        raw["id_number"] = stored_id
    if not (raw.get("mobile") or "").strip():
        raw["mobile"] = stored_mobile
    facts, _ = _checked_facts(raw)
    return transition_application(application, to=JA.SUBMITTED, by=worker.user, facts=facts,
                                  employer_name=employer_name)


def withdraw_application(*, application: JoinApplication, worker: Worker) -> JoinApplication:
    return transition_application(application, to=JA.WITHDRAWN, by=worker.user)


def accept_application(*, application: JoinApplication, by) -> Member:
    """Admit the applicant (see `transition_application`)."""
    return transition_application(application, to=JA.ACCEPTED, by=by)


def return_application(*, application: JoinApplication, by, reason: str) -> JoinApplication:
    """Send the application back with a reason the worker sees (see `transition_application`)."""
    return transition_application(application, to=JA.RETURNED, by=by, reason=reason)


# Member cards (电子会员卡) -------------------------------------------------------------------------

def current_card(member: Member) -> MemberCard:
    """The member's valid card, issued now when there is none (first use, after a revocation or a transfer)."""
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        if member.status != Member.Status.ACTIVE:
            raise DomainError("会籍已终止，电子会员卡不可用。")
        card = MemberCard.objects.filter(member=member, org_id=member.org_id, revoked_at__isnull=True).first()
        if card is None:
            MemberCard.objects.filter(member=member, revoked_at__isnull=True).update(
                revoked_at=timezone.now(), revoked_reason="会籍转移，已换发新卡")
            card = MemberCard.objects.create(member=member, org_id=member.org_id)
            audit.record("portal_card_issue", obj=card, changes={"member": member.member_number})
    return card


def revoke_card(*, card: MemberCard, by, reason: str) -> MemberCard:
    """Revoke a card (lost phone, misuse); the member's next visit to the card page issues a new one."""
    if not can_manage_cards(by, card):
        raise DomainError("您没有注销该电子会员卡的权限。")
    with transaction.atomic():
        card = MemberCard.objects.select_for_update().get(pk=card.pk)
        if card.revoked_at is not None:
            raise DomainError("该电子会员卡已注销。")
        card.revoked_at, card.revoked_reason = timezone.now(), (reason or "").strip()[:100] or "工会注销"
        card.save(update_fields=["revoked_at", "revoked_reason"])
        audit.record("portal_card_revoke", actor=by, obj=card, changes={"reason": card.revoked_reason})
    return card
