"""Audit action codes of the worker portal."""

from gonghui.common.audit import register

register({
    "portal_signup": "职工注册账号",
    "portal_code_throttled": "验证码请求受限",
    "portal_signin_throttled": "职工登录受限",
    "portal_password_set": "职工设置密码",
    "portal_mobile_changed": "职工更换手机号",
    "portal_bind": "实名绑定",
    "portal_bind_request": "实名绑定申请",
    "portal_bind_throttled": "实名绑定尝试受限",
    "portal_bind_reject": "驳回实名绑定",
    "portal_join_link": "入会二维码变更",
    "portal_application_submit": "提交入会申请",
    "portal_application_resubmit": "重新提交入会申请",
    "portal_application_withdraw": "撤回入会申请",
    "portal_application_accept": "通过入会申请",
    "portal_application_return": "退回入会申请",
    "portal_card_issue": "发放电子会员卡",
    "portal_card_revoke": "作废电子会员卡",
})
