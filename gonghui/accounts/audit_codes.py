"""Audit action codes of accounts, sign-in and two-factor."""

from gonghui.common.audit import register

register({
    "enable": "启用账号",
    "disable": "停用账号",
    "permission_change": "变更角色",
    "password_change": "修改密码",
    "otp_enrolled": "绑定身份验证器",
    "otp_verified": "双因素验证通过",
    "otp_failed": "双因素验证失败",
    "otp_reset": "重置身份验证器",
    "login": "登录",
    "logout": "退出登录",
    "login_failed": "登录失败",
    "lockout": "登录锁定",
})
