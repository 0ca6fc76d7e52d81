import base64
import logging
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone

from . import pii

logger = logging.getLogger(__name__)

IMPORT_DIR = "imports"  # under MEDIA_ROOT, outside the web root
ERROR_FILE_CONTEXT = "common.ImportJob.error_file:"  # the encryption context of a job's error workbook


class Region(models.Model):
    """A GB/T 2260 administrative division, current or retired (retired codes stay valid on old cards).
    A code can appear more than once: codes were reused for other divisions over the years."""

    class Level(models.TextChoices):
        PROVINCE = "province", "省级"
        PREFECTURE = "prefecture", "地级"
        COUNTY = "county", "县级"

    code = models.CharField("行政区划代码", max_length=6, db_index=True)
    name = models.CharField("名称", max_length=50)
    province_name = models.CharField("一级行政区", max_length=50, blank=True)
    prefecture_name = models.CharField("二级行政区", max_length=50, blank=True)
    level = models.CharField("级别", max_length=12, choices=Level.choices)
    in_use = models.BooleanField("在用", default=True)
    since = models.PositiveSmallIntegerField("启用年份", null=True)
    until = models.PositiveSmallIntegerField("弃用年份", null=True, blank=True)
    successors = models.CharField("新代码", max_length=200, blank=True)

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code", "since"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def prefix(self) -> str:
        """The code's significant digits: 34 for a province, 3401 for a prefecture, 340102 for a county."""
        if self.level == self.Level.PROVINCE:
            return self.code[:2]
        if self.level == self.Level.PREFECTURE:
            return self.code[:4]
        return self.code


class AuditEntry(models.Model):
    """One row per audited event. Append-only: the model refuses updates and deletes, and on
    PostgreSQL a trigger does too (migration 0003)."""

    class Outcome(models.TextChoices):
        SUCCESS = "success", "成功"
        FAILURE = "failure", "失败"
        DENIED = "denied", "拒绝"

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    actor_name = models.CharField("操作人账号", max_length=150, blank=True)
    actor_org = models.ForeignKey(
        "orgs.Org", verbose_name="操作人所属组织", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    action = models.CharField("操作", max_length=40, db_index=True)
    object_type = models.CharField("对象类型", max_length=60, blank=True, db_index=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True, db_index=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    outcome = models.CharField("结果", max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    changes = models.JSONField("变更内容", default=dict, blank=True)

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("审计日志只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计日志只能追加，不能删除。")

    @classmethod
    def scope_q(cls, org) -> models.Q:
        """Entries of accounts in the subtree. Entries without an org (failed logins and lockouts of
        unknown names, commands) belong to the top of the tree: only a root org's auditors see them."""
        q = models.Q(actor_org__path__startswith=org.path)
        if org.parent_id is None:
            q |= models.Q(actor_org__isnull=True)
        return q


class ImportJob(models.Model):
    """One file import run in the back office: who uploaded what, how far it got and what came out.
    Files live under MEDIA_ROOT/imports, outside the web root, and are served only by scoped views."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    kind = models.CharField("导入类型", max_length=20, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT, related_name="+",
    )
    org = models.ForeignKey("orgs.Org", verbose_name="导入人所属组织", on_delete=models.PROTECT, related_name="+")
    filename = models.CharField("文件名", max_length=200)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField("总行数", default=0)
    done = models.PositiveIntegerField("已处理行数", default=0)
    summary = models.JSONField("结果", default=dict, blank=True)
    error_file = models.CharField("错误文件", max_length=200, blank=True, help_text="MEDIA_ROOT 下的相对路径")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename}（{self.get_status_display()}）"

    @classmethod
    def scope_q(cls, org) -> models.Q:
        return models.Q(org__path__startswith=org.path)

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}

    @staticmethod
    def media_path(relative: str) -> Path:
        return Path(settings.MEDIA_ROOT) / relative

    @property
    def upload_path(self) -> Path:
        """Where the uploaded file waits for the background task."""
        return self.media_path(f"{IMPORT_DIR}/{self.pk}-upload{Path(self.filename).suffix.lower()}")

    def keep_upload(self, upload) -> None:
        """Store the uploaded file (a Django UploadedFile) for the background task."""
        path = self.upload_path
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            for chunk in upload.chunks():
                f.write(chunk)

    def finish(self, status: str, summary: dict, done: int | None = None) -> None:
        """Record the outcome (and the error file name set on the job, if any)."""
        self.status, self.summary, self.finished_at = status, summary, timezone.now()
        fields = ["status", "summary", "finished_at", "error_file"]
        if done is not None:
            self.done = self.total = done
            fields += ["done", "total"]
        self.save(update_fields=fields)

    def store_error_file(self, data: bytes, *, name: str = "errors") -> None:
        """Keep the run's error workbook: it repeats the file's rows, ID numbers included, so it is stored
        encrypted and bound to this job (`read_error_file`). Sets `error_file`; `finish` saves it. Shared by
        the imports that store their rejected rows."""
        self.error_file = f"{IMPORT_DIR}/{self.pk}-{name}.xlsx.enc"
        path = self.media_path(self.error_file)
        path.parent.mkdir(parents=True, exist_ok=True)
        sealed = pii.encrypt(base64.b64encode(data).decode("ascii"), context=f"{ERROR_FILE_CONTEXT}{self.pk}")
        path.write_bytes(sealed.encode())

    def read_error_file(self) -> bytes | None:
        """The run's error workbook, decrypted; None when there is none (or its key is no longer configured)."""
        path = self.media_path(self.error_file) if self.error_file else None
        if path is None or not path.is_file():
            return None
        try:
            return base64.b64decode(pii.decrypt(path.read_text("ascii"), context=f"{ERROR_FILE_CONTEXT}{self.pk}"))
        except pii.DecryptionError:  # its key version is no longer configured
            logger.warning("导入任务 %s 的错误文件无法解密", self.pk)
            return None

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(100, self.done * 100 // self.total) if self.total else 0
