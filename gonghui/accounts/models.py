from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    OPERATOR = "operator", "经办人"
    APPROVER = "approver", "审核人"
    ORG_ADMIN = "org_admin", "单位管理员"
    AUDITOR = "auditor", "审计员"
    SYSADMIN = "sysadmin", "系统管理员"
    SECADMIN = "secadmin", "安全管理员"
    PII_VIEWER = "pii_viewer", "敏感信息查看"  # may reveal full ID and mobile numbers and export them unmasked


# 三权分立: the system, security and audit administrators are three different people.
EXCLUSIVE_ROLES = frozenset({Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR})
WRITE_ROLES = frozenset({Role.OPERATOR, Role.APPROVER, Role.ORG_ADMIN, Role.PII_VIEWER})


class User(AbstractUser):
    """A cadre account belongs to one organization and sees only its subtree."""

    org = models.ForeignKey(
        "orgs.Org", verbose_name="所属组织", null=True, blank=True, on_delete=models.PROTECT,
        related_name="accounts",
    )
    full_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True)
    must_change_password = models.BooleanField(
        "须修改密码", default=False, help_text="初始密码或被他人重置的密码，登录后须先修改。")

    class Meta:
        verbose_name = "账号"
        verbose_name_plural = "账号"

    def __str__(self) -> str:
        return f"{self.full_name}（{self.username}）" if self.full_name else self.username

    @property
    def roles(self) -> frozenset[str]:
        if not hasattr(self, "_roles"):
            self._roles = frozenset(self.role_grants.values_list("role", flat=True)) if self.pk else frozenset()
        return self._roles

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def requires_two_factor(self) -> bool:
        """TOTP is required of every account with a write role and every administrator."""
        return bool(self.roles & (WRITE_ROLES | EXCLUSIVE_ROLES)) or self.is_superuser

    @classmethod
    def scope_q(cls, org) -> models.Q:
        return models.Q(org__path__startswith=org.path)


class RoleGrant(models.Model):
    user = models.ForeignKey(User, verbose_name="账号", on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField("角色", max_length=12, choices=Role.choices)
    granted_at = models.DateTimeField("授予时间", auto_now_add=True)

    class Meta:
        verbose_name = "角色"
        verbose_name_plural = "角色"
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="unique_role_grant")]

    def __str__(self) -> str:
        return self.get_role_display()
