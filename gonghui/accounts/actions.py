"""Writes to accounts: creation, roles, disabling, passwords. Every one is audited."""

import datetime

from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.common import audit
from gonghui.common.actors import is_system, system_actor
from gonghui.common.errors import DomainError
from gonghui.orgs.models import Org

from .models import EXCLUSIVE_ROLES, Role, RoleGrant, User


def check_roles(roles: set[str]) -> None:
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise DomainError("未知角色：" + "、".join(sorted(unknown)), field="roles")
    exclusive = set(roles) & EXCLUSIVE_ROLES
    if len(exclusive) > 1 or (exclusive and len(roles) > 1):
        raise DomainError("系统管理员、安全管理员、审计员须由不同账号担任，且不兼任业务角色（三权分立）。",
                          field="roles")


def _check_actor_reaches(by, org: Org) -> None:
    if not is_system(by) and (by.org_id is None or not org.is_within(by.org)):
        raise DomainError("该组织不在您的管辖范围内。", field="org")


def check_password_policy(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as e:
        raise DomainError(" ".join(e.messages), field="password") from None


@transaction.atomic
def create_cadre(*, username: str, password: str, org: Org, roles: set[str], by,
                 full_name: str = "", check_password: bool = True, must_change_password: bool = True) -> User:
    """A new cadre account. Its password is an initial one, to be changed at first login, unless
    `must_change_password` is False (demo and test accounts). `by`: a 系统管理员, or the system actor (the
    `createcadre` command), who may also grant the roles at once."""
    check_roles(roles)
    if not is_system(by):
        if not by.has_role(Role.SYSADMIN):
            raise DomainError("只有系统管理员可以新建账号。")
        if roles:
            raise DomainError("新建账号后由安全管理员分配角色（三权分立）。", field="roles")
    _check_actor_reaches(by, org)
    if User.objects.filter(username=username).exists():
        raise DomainError(f"账号 {username} 已存在。", field="username")
    user = User(username=username, org=org, full_name=full_name, is_staff=True,
                must_change_password=must_change_password)
    if check_password:
        check_password_policy(password, user)
    user.set_password(password)
    user.save()
    RoleGrant.objects.bulk_create([RoleGrant(user=user, role=r) for r in sorted(roles)])
    audit.record("create", actor=by, obj=user,
                 changes={"org": str(org), "roles": sorted(roles)})
    return user


@transaction.atomic
def set_roles(user: User, *, roles: set[str], by) -> User:
    """Replace `user`'s roles. Nobody changes their own roles (R-AZ-3)."""
    check_roles(roles)
    if not is_system(by):
        if by.pk == user.pk:
            raise DomainError("不能修改自己的角色。", field="roles")
        if not by.has_role(Role.SECADMIN):
            raise DomainError("只有安全管理员可以分配角色。", field="roles")
        _check_actor_reaches(by, user.org)
    before = sorted(user.roles)
    RoleGrant.objects.filter(user=user).exclude(role__in=roles).delete()
    RoleGrant.objects.bulk_create([RoleGrant(user=user, role=r) for r in roles], ignore_conflicts=True)
    user.__dict__.pop("_roles", None)
    if before != sorted(roles):
        audit.record("permission_change", actor=by, obj=user, changes={"roles": [before, sorted(roles)]})
    return user


def kill_sessions(user: User) -> int:
    """Delete every server-side session of `user`."""
    doomed = [
        s.pk for s in Session.objects.filter(expire_date__gt=timezone.now())
        if str(s.get_decoded().get("_auth_user_id")) == str(user.pk)
    ]
    Session.objects.filter(pk__in=doomed).delete()
    return len(doomed)


@transaction.atomic
def set_active(user: User, *, active: bool, by) -> User:
    if not is_system(by):
        if by.pk == user.pk:
            raise DomainError("不能停用自己的账号。")
        if not by.has_role(Role.SYSADMIN):
            raise DomainError("只有系统管理员可以停用或启用账号。")
        _check_actor_reaches(by, user.org)
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        transaction.on_commit(lambda: kill_sessions(user))
    audit.record("enable" if active else "disable", actor=by, obj=user,
                 changes={"is_active": [not active, active]})
    return user


@transaction.atomic
def change_password(user: User, *, password: str, by) -> User:
    """Set `user`'s password and end all of their sessions. A password set by someone else is an
    initial one again: the owner must change it at the next login."""
    own = not is_system(by) and by.pk == user.pk
    if not is_system(by) and not own:
        if not by.has_role(Role.SYSADMIN):
            raise DomainError("只有系统管理员可以重置他人的密码。")
        _check_actor_reaches(by, user.org)
    check_password_policy(password, user)
    user.set_password(password)
    user.must_change_password = not own
    user.save(update_fields=["password", "must_change_password"])
    transaction.on_commit(lambda: kill_sessions(user))
    audit.record("password_change", actor=by, obj=user, changes={"must_change_password": user.must_change_password})
    return user


@transaction.atomic
def reset_two_factor(user: User, *, by) -> int:
    """Remove `user`'s authenticators (a lost phone); they enrol a new one at their next login.
    Only a security administrator, never for their own account."""
    if not is_system(by):
        if not by.has_role(Role.SECADMIN):
            raise DomainError("只有安全管理员可以重置双因素认证。")
        if by.pk == user.pk:
            raise DomainError("不能重置自己的双因素认证。")
        _check_actor_reaches(by, user.org)
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    transaction.on_commit(lambda: kill_sessions(user))
    audit.record("otp_reset", actor=by, obj=user, changes={"devices_removed": removed})
    return removed


@transaction.atomic
def update_cadre(user: User, *, full_name: str, by) -> User:
    if not is_system(by) and by.pk != user.pk:
        _check_actor_reaches(by, user.org)
    if user.full_name != full_name:
        audit.record("update", actor=by, obj=user, changes={"full_name": [user.full_name, full_name]})
        user.full_name = full_name
        user.save(update_fields=["full_name"])
    return user


def authenticator_for(user: User) -> TOTPDevice:
    """`user`'s confirmed authenticator, or the pending one they are enrolling (created on demand)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device, _ = TOTPDevice.objects.get_or_create(user=user, confirmed=False, defaults={"name": "身份验证器"})
    return device


def verify_two_factor(user: User, *, device: TOTPDevice, token: str) -> None:
    """Check a TOTP code; the first valid code confirms a pending authenticator. Audited either way;
    raises DomainError when the code is refused. Not one transaction on purpose: django-otp records
    a failure on the device (its throttle), and that must stay when we refuse."""
    allowed, _ = device.verify_is_allowed()
    if not (allowed and device.verify_token(token)):
        audit.record("otp_failed", actor=user, obj=user, outcome=audit.AuditEntry.Outcome.FAILURE)
        raise DomainError("验证码不正确或已过期，请重新输入。" if allowed else "尝试次数过多，请稍后再试。",
                          field="token")
    with transaction.atomic():
        if not device.confirmed:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            audit.record("otp_enrolled", actor=user, obj=user)
        audit.record("otp_verified", actor=user, obj=user)


def disable_idle_accounts(*, days: int, now=None) -> list[str]:
    """Disable cadre accounts not used for `days` days (等保: 长期未使用的账号应停用). An account that
    never logged in counts from its creation. Each is disabled through set_active (audited, sessions
    ended); returns the usernames."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=days)
    idle = User.objects.filter(is_active=True, org__isnull=False).filter(
        models.Q(last_login__lt=cutoff) | models.Q(last_login__isnull=True, date_joined__lt=cutoff))
    names = []
    for user in idle:
        set_active(user, active=False, by=system_actor())
        names.append(user.username)
    return names
