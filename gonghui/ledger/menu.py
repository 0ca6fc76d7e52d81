from gonghui.common.menus import can_change, can_view, group, item

MENU = [
    group("帮扶资金台账", order=60, items=[
        item("帮扶审批", "approval", "admin:ledger_approval_changelist", can_view("ledger.Approval")),
        item("批量发放", "volunteer_activism", "admin:ledger_disbursement_changelist", can_view("ledger.Disbursement")),
        item("台账分录", "receipt_long", "admin:ledger_entry_changelist", can_view("ledger.Entry")),
        # Kinds and fund sources are kept by the province: below it they are only choices on a form.
        item("帮扶类别", "category", "admin:ledger_paymentkind_changelist", can_change("ledger.PaymentKind")),
        item("资金来源", "account_balance", "admin:ledger_fundsource_changelist", can_change("ledger.FundSource")),
    ]),
]
