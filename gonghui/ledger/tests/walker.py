"""The URL walker's samples of the aid ledger (gonghui/common/tests/walking.py says how they are used): the
approvals, their entries and the 送温暖 batches of each side, the person's ledger, and the 帮扶类别 and
资金来源, the same for the whole province."""

from gonghui.common.tests.walking import ALL, MEMBER_EDITORS, NO_DELETE, admin_model, obj, reference_model
from gonghui.conftest import make_cadre
from gonghui.ledger import actions
from gonghui.ledger.models import FundSource, PaymentKind
from gonghui.members.tests.walker import INSIDE_MEMBER, OUTSIDE_MEMBER

OUTSIDE_BATCH = "芜湖外区送温暖批次"  # a bulk disbursement of K21, for the outside member
INSIDE_BATCH = "瑶海内部送温暖批次"

_CONFIG = "province-wide ledger configuration"
SAMPLES = {
    **admin_model("ledger_approval", "aid_approval", roles=ALL, add_roles=MEMBER_EDITORS, hides=[OUTSIDE_MEMBER],
                  shows=INSIDE_MEMBER, probes=[lambda w: "?org=K21"],
                  extra_queries=[lambda w: f"?q={w.member.member_number}", lambda w: "?status=paid",
                                 lambda w: "?org=K11"]),
    "admin:ledger_approval_record": obj(lambda w: {"object_id": w.aid_approval.pk}),
    **admin_model("ledger_entry", "aid_entry", roles=ALL, hides=[OUTSIDE_MEMBER], shows=INSIDE_MEMBER,
                  probes=[lambda w: "?org=K21"],
                  extra_queries=[lambda w: f"?q={w.member.member_number}", lambda w: "?reversal=payment",
                                 lambda w: f"?year={w.aid_entry.paid_on.year}", lambda w: "?org=K11"]),
    "admin:ledger_entry_reverse_entry": obj(lambda w: {"object_id": w.aid_entry.pk}),
    "admin:ledger_entry_person": obj(lambda w: {"member_id": w.member.pk}),
    "admin:ledger_entry_person_export": obj(lambda w: {"member_id": w.member.pk}),
    **admin_model("ledger_disbursement", "aid_batch", roles=ALL, add_roles=MEMBER_EDITORS, hides=[OUTSIDE_BATCH],
                  shows=INSIDE_BATCH, probes=[lambda w: "?org=K21"], extra_queries=[lambda w: "?q=外区送温暖"]),
    "admin:ledger_disbursement_record_batch": obj(lambda w: {"object_id": w.aid_batch.pk}),
    # 帮扶类别 and 资金来源: the same for the whole province, maintained by its administrators.
    **reference_model("ledger_paymentkind", "pay_kind", _CONFIG,
                      add="only a province administrator maintains the ledger configuration",
                      delete=NO_DELETE + "; entries keep their kind and source"),
    **reference_model("ledger_fundsource", "fund_source", _CONFIG,
                      add="only a province administrator maintains the ledger configuration",
                      delete=NO_DELETE + "; entries keep their kind and source"),
}


def build(world) -> None:
    """For each side: a 生活救助 approval of the side's cadre for the side's member, paid by a second cadre
    there (its entry), and an approved 送温暖 batch for the member."""
    # 先建档后帮扶 is a rule of the kinds, configurable: the ledger's samples need no hardship file.
    PaymentKind.objects.filter(code__in=["living", "warmth"]).update(requires_file=False)
    world.pay_kind, world.fund_source = PaymentKind.objects.get(code="warmth"), FundSource.objects.get(code="union")
    for side, title in ((world, OUTSIDE_BATCH), (world.inside, INSIDE_BATCH)):
        by, member = side.user, side.member
        side.aid_approval = actions.approve(member=member, kind=PaymentKind.objects.get(code="living"),
                                            fund_source=world.fund_source, amount="500", by=by, org=by.org,
                                            reason=title)
        payer = make_cadre(by.org, "operator", username=f"{by.username}_pay")
        side.aid_entry = actions.record_payment(approval=side.aid_approval, by=payer, key=actions.new_key())
        side.aid_batch = actions.approve_disbursement(title=title, org=by.org, kind=world.pay_kind,
                                                      fund_source=world.fund_source, amount_each="300",
                                                      members=[member], by=by)
