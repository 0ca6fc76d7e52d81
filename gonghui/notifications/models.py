"""站内通知: a message to an account, shown on the worker's 我的 page (and kept for cadres' reminders).
Written only by `actions.notify()`."""

from django.conf import settings
from django.db import models


class Notification(models.Model):
    """A message to an account (站内通知)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    text = models.CharField("内容", max_length=300)
    link = models.CharField("链接", max_length=200, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        # The portal created this table before notifications were an engine of their own; keeping its name
        # means existing rows stay where they are.
        db_table = "portal_notification"
        verbose_name = "站内通知"
        verbose_name_plural = "站内通知"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text
