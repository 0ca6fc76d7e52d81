"""The audit trail: `record()` writes one AuditEntry. Actions call it inside their transaction,
so an entry exists exactly when the change does.

Every action code is registered with its Chinese label, so the auditor reads Chinese: each app declares its
codes in its own `audit_codes.py` (`register({"member_join": "会员入会", …})`), imported at start-up like the
figures; `record()` refuses a code nobody registered."""

import contextvars
import datetime
import decimal
import re

from django.core.exceptions import ImproperlyConfigured
from django.db import models

from .models import AuditEntry

# The client IP of the request being served (set by AuditContextMiddleware); None in commands and tasks.
current_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("current_ip", default=None)

# Digit boundaries rather than \b: Chinese characters are word characters, so "身份证号110105…"
# has no \b before the number. An optional +86/86 prefix stays visible.
_ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")
_PHONE_RE = re.compile(r"(?<![0-9A-Za-z])((?:\+?86[- ]?)?1[3-9]\d)\d{4}(\d{4})(?!\d)")


def mask_text(value: str) -> str:
    """Mask ID numbers and mobile numbers wherever they appear in a string."""
    value = _ID_RE.sub(lambda m: m.group(1) + "*" * 8 + m.group(2), value)
    return _PHONE_RE.sub(lambda m: m.group(1) + "****" + m.group(2), value)


def _plain(value):
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime | decimal.Decimal):
        return str(value)
    if isinstance(value, str):
        return mask_text(value)
    return value


def snapshot(obj: models.Model, fields: list[str]) -> dict:
    return {name: _plain(getattr(obj, name)) for name in fields}


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields that changed."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


_LABELS: dict[str, str] = {}
ACTION_MAX = AuditEntry._meta.get_field("action").max_length


class UnregisteredAction(LookupError):
    """An action code no app registered: a programming error, raised everywhere so a test run finds it."""


def register(codes: dict[str, str]) -> None:
    """Declare action codes with their Chinese labels. A code may be declared again only with the same label:
    two apps cannot mean different things by one code."""
    for code, label in codes.items():
        if not code or len(code) > ACTION_MAX or not label:
            raise ImproperlyConfigured(f"Audit action {code!r}: a code of 1–{ACTION_MAX} characters and a label.")
        if _LABELS.get(code, label) != label:
            raise ImproperlyConfigured(f"Audit action {code!r} is already registered as {_LABELS[code]!r}.")
        _LABELS[code] = label


def label(code: str) -> str:
    """The Chinese label of an action code; the code itself for one no longer registered (old entries)."""
    return _LABELS.get(code, code)


def registered() -> dict[str, str]:
    """Every registered code with its label."""
    return dict(_LABELS)


def record(action: str, **details) -> AuditEntry:
    """Write one audit entry: `build`'s entry, saved (its keyword arguments are `build`'s)."""
    entry = build(action, **details)
    entry.save()
    return entry


def build(
    action: str,
    *,
    actor=None,
    obj: models.Model | None = None,
    changes: dict | None = None,
    outcome: str = AuditEntry.Outcome.SUCCESS,
    actor_name: str = "",
    object_repr: str = "",
) -> AuditEntry:
    """The entry `record` writes, unsaved: bulk writes save theirs with one `bulk_create`."""
    if action not in _LABELS:
        raise UnregisteredAction(f"Audit action {action!r} is not registered: add it to its app's audit_codes.py.")
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry(
        actor=actor if authenticated else None,
        actor_name=(actor.get_username() if authenticated else actor_name)[:150],
        actor_org_id=getattr(actor, "org_id", None) if authenticated else None,
        ip=current_ip.get(),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=mask_text(object_repr or (str(obj) if obj is not None else ""))[:200],
        outcome=outcome,
        changes={k: _plain(v) if not isinstance(v, list) else [_plain(x) for x in v]
                 for k, v in (changes or {}).items()},
    )
