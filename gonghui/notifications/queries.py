"""Reads of notifications."""

from .models import Notification


def recent(user, limit: int = 20) -> list[Notification]:
    """The account's latest notifications, newest first."""
    return list(Notification.objects.filter(user=user)[:limit])
