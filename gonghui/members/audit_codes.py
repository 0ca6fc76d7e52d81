"""Audit action codes of the members' database."""

from gonghui.common.audit import register

from .models import Member

register({
    "member_join": "会员入会",
    "member_rejoin": "会员重新入会",
    "member_update": "修改会员信息",
    "member_update_self": "会员本人修改信息",
    # end_membership records member_<status>: 会员退会, 会员退休, 会员去世
    **{f"member_{status.value}": f"会员{status.label}" for status in Member.Status if status != Member.Status.ACTIVE},
    "transfer_request": "申请转会",
    "transfer_approve": "同意转会",
    "transfer_reject": "拒绝转会",
    "transfer_cancel": "取消转会",
    "pii_reveal": "查看完整号码",
    "pii_rotate_keys": "轮换加密密钥",
})
