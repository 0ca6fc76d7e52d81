import pytest

from gonghui.conftest import make_cadre
from gonghui.ledger.models import FundSource, PaymentKind
from gonghui.members.tests.conftest import member_factory  # noqa: F401 (fixture)


def kind(code: str) -> PaymentKind:
    return PaymentKind.objects.get(code=code)


def source(code: str = "central") -> FundSource:
    return FundSource.objects.get(code=code)


@pytest.fixture
def people(tree, member_factory):  # noqa: F811
    """A county approver and operator (K11) and two members of G1111. The ledger is tested on its own: no kind
    requires a file here (先建档后帮扶 is the aid program's rule, tested with hardship)."""
    PaymentKind.objects.update(requires_file=False)
    approver = make_cadre(tree["K11"], "approver", username="k11_approver")
    operator = make_cadre(tree["K11"], "operator", username="k11_operator")
    return approver, operator, member_factory(name="王困难"), member_factory(name="李普通")
