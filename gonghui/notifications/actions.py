"""The one way to tell an account something: `notify()` writes the in-app notifications and, when asked,
sends the same text by SMS. Everything goes out after the surrounding transaction commits, so nobody is
told of a change that was rolled back."""

import logging
from collections.abc import Callable

from django.db import models, transaction
from django.utils import timezone

from gonghui.accounts.sms import SmsError, send_sms
from gonghui.common.pii import mask_mobile

from .models import Notification

logger = logging.getLogger(__name__)

TEXT_MAX = Notification._meta.get_field("text").max_length
LINK_MAX = Notification._meta.get_field("link").max_length

# Who knows an account's mobile: each lookup takes user ids and returns {user id: 11-digit mobile} for the
# accounts it knows. Accounts have no mobile of their own; the app that keeps one (the portal, for workers)
# registers its lookup here, so that callers below it (the hall) can send SMS without naming it.
MobileLookup = Callable[[list[int]], dict[int, str]]
_mobile_lookups: list[MobileLookup] = []


def register_mobile_lookup(lookup: MobileLookup) -> MobileLookup:
    """Add a source of mobile numbers for `notify(..., sms=True)` (usable as a decorator)."""
    if lookup not in _mobile_lookups:
        _mobile_lookups.append(lookup)
    return lookup


def mobiles_of(user_ids: list[int]) -> dict[int, str]:
    """The known mobile of each of `user_ids`; an account no lookup knows is left out."""
    found: dict[int, str] = {}
    for lookup in _mobile_lookups:
        missing = [pk for pk in user_ids if pk not in found]
        if not missing:
            break
        asked = set(missing)
        found |= {pk: number for pk, number in lookup(missing).items() if pk in asked and number}
    return found


def notify(users_or_user, *, text: str, link: str = "", sms: bool = False) -> None:
    """Tell one account or many: one in-app notification each (written in bulk) with `text` and an optional
    `link`; with `sms`, the same text by SMS to each account whose mobile is known (others get the in-app
    notification only; a failed SMS is logged and does not undo anything).

    Nothing is written or sent until the surrounding transaction commits, and nothing at all if it rolls
    back; outside a transaction it happens at once. An account listed twice is told once."""
    users = [users_or_user] if isinstance(users_or_user, models.Model) else users_or_user
    user_ids = list(dict.fromkeys(u.pk for u in users))
    if not user_ids:
        return
    text, link = text[:TEXT_MAX], link[:LINK_MAX]

    def write_notifications() -> None:
        Notification.objects.bulk_create([Notification(user_id=pk, text=text, link=link) for pk in user_ids],
                                         batch_size=500)

    def send_texts() -> None:
        for pk, number in mobiles_of(user_ids).items():
            try:
                send_sms(number, text)
            except SmsError:  # the backend has logged why; the in-app notification is there
                logger.warning("通知短信未能发送至 %s（用户 %s）", mask_mobile(number), pk)

    transaction.on_commit(write_notifications)
    if sms:
        # robust: whatever goes wrong with a text message (a number that no longer decrypts, a gateway down) is
        # logged, and neither undoes nor fails the change already committed.
        transaction.on_commit(send_texts, robust=True)


def mark_read(user) -> int:
    """The account has seen its notifications (the worker's 我的 page shows them); how many were unread."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
