"""Audit action codes of the aid ledger."""

from gonghui.common.audit import register

register({
    "ledger_approve": "帮扶审批",
    "ledger_pay": "登记发放",
    "ledger_reverse": "冲销发放",
    "ledger_batch_approve": "批量发放审批",
    "ledger_batch_pay": "批量发放登记",
    "ledger_history": "导入历史发放记录",
    # the back office's settings pages record ledger_<model>_add / _change
    "ledger_paymentkind_add": "新增帮扶类别",
    "ledger_paymentkind_change": "修改帮扶类别",
    "ledger_fundsource_add": "新增资金来源",
    "ledger_fundsource_change": "修改资金来源",
})
