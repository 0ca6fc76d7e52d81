"""Audit action codes of mutual aid."""

from gonghui.common.audit import register

register({
    "mutualaid_plan_create": "新建互助保障计划",
    "mutualaid_plan_change": "修改互助保障计划",
    "mutualaid_enrol": "单位参保",
    "mutualaid_campaign_create": "新建赠送活动",
    "mutualaid_campaign_change": "修改赠送活动",
    "mutualaid_campaign_run": "执行赠送活动",
    "mutualaid_claim_file": "登记互助金申请",
    "mutualaid_claim_approve": "批准互助金申请",
    "mutualaid_claim_reject": "驳回互助金申请",
})
