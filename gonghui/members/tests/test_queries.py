"""Issue 3 part 7 (search within scope, exact ID through the blind index) and the permission checks."""

import pytest

from gonghui.accounts.models import User
from gonghui.common.actors import system_actor
from gonghui.common.errors import DomainError
from gonghui.conftest import make_cadre
from gonghui.members.actions import join_member
from gonghui.members.queries import can_approve_transfer, can_edit_members, can_reveal, id_index_of, search

from .conftest import make_facts, make_id

pytestmark = pytest.mark.django_db

ID_X = make_id(seq=9)  # 34010219900101009X
OLD_ID_X = ID_X[:6] + ID_X[8:17]  # its 15-digit form: 340102900101009
OTHER = make_id(seq=11)
HMT = make_id(region="810000", seq=13)


@pytest.fixture
def people(tree):
    """Namesakes inside and outside T111's subtree; the outsider's record is what could leak."""
    return {
        "inside": join_member(org=tree["G1111"], facts=make_facts(id_number=ID_X, name="张三"), by=system_actor()),
        "outside": join_member(org=tree["G2111"], facts=make_facts(id_number=OTHER, name="张三"), by=system_actor()),
        "minority": join_member(org=tree["G1112"], facts=make_facts(id_number=make_id(seq=15), name="阿依古丽·买买提",
                                                                    member_number="hf-2019-07"), by=system_actor()),
        "hmt": join_member(org=tree["G1211"], facts=make_facts(id_number=HMT, doc_type="hmt_residence"),
                           by=system_actor()),
    }


@pytest.fixture
def t111(tree):
    return make_cadre(tree["T111"], username="t111_viewer")


def found(user, text) -> set[str]:
    return {m.name + "@" + m.org.code for m in search(user, text)}


def test_search_by_name_within_scope(people, t111, tree):
    assert found(t111, "张三") == {"张三@G1111"}
    assert found(t111, " 张 三 ") == {"张三@G1111"}
    assert found(make_cadre(tree["P"], username="p_viewer"), "张三") == {"张三@G1111", "张三@G2111", "张三@G1211"}
    assert found(t111, "张") == set()  # exact names only


def test_search_minority_name_with_any_dot(people, t111):
    assert found(t111, "阿依古丽.买买提") == found(t111, "阿依古丽·买买提") == {"阿依古丽·买买提@G1112"}


def test_search_by_member_number_within_scope(people, t111, tree):
    number = people["inside"].member_number
    assert len(number) == 15 and number[:14].isdigit()
    assert found(t111, number) == {"张三@G1111"}  # 15 digits, like an old ID number: still found
    assert found(t111, f" {number} ") == {"张三@G1111"}
    assert found(t111, "HF-2019-07") == found(t111, "hf-2019-07") == {"阿依古丽·买买提@G1112"}
    assert found(t111, people["outside"].member_number) == set()
    assert found(make_cadre(tree["C2"], username="c2_viewer"), people["outside"].member_number) == {"张三@G2111"}


@pytest.mark.parametrize("typed", [
    ID_X, ID_X.lower(), " 340102 19900101 009x ", "340102\u300019900101009X", "３４０１０２１９９００１０１００９Ｘ",
    OLD_ID_X, " 340102 900101 009 ",
])
def test_search_by_exact_id_in_any_typed_form(people, t111, typed):
    assert found(t111, typed) == {"张三@G1111"}


def test_search_by_id_outside_scope_finds_nothing(people, t111):
    assert found(t111, OTHER) == set()
    assert found(t111, HMT) == set()


def test_search_by_hmt_residence_number(people, tree):
    assert found(make_cadre(tree["C1"], username="c1_viewer"), HMT) == {"张三@G1211"}


@pytest.mark.parametrize("typed", [ID_X[:17], ID_X[:17] + "1", ID_X[:10], "3401021990"])
def test_search_partial_or_wrong_id_finds_nothing(people, t111, typed):
    """Only the exact number matches: no prefix scan over identity data."""
    assert found(t111, typed) == set()


def test_search_empty_text_lists_the_scope(people, t111):
    assert found(t111, "") == {"张三@G1111", "阿依古丽·买买提@G1112"}


def test_search_account_without_org_sees_nothing(people):
    user = User.objects.create(username="no_org")
    assert found(user, "张三") == set()
    assert found(user, ID_X) == set()


def test_id_index_of_same_for_every_typed_form():
    assert id_index_of(ID_X) == id_index_of(ID_X.lower()) == id_index_of(OLD_ID_X) == id_index_of(f" {ID_X} ")
    assert id_index_of(ID_X) != id_index_of(OTHER)
    with pytest.raises(DomainError):
        id_index_of(ID_X[:17] + "1")


@pytest.mark.parametrize(("org", "roles", "allowed"), [
    ("G1111", ["approver"], True),  # the member's current union
    ("T111", ["approver"], True),  # an ancestor
    ("P", ["org_admin"], True),
    ("G1112", ["approver"], False),  # a sibling
    ("C2", ["approver"], False),  # another branch (the receiving side, say)
    ("G1111", ["operator"], False),  # no approving role
    ("T111", ["pii_viewer"], False),
])
def test_can_approve_transfer(people, tree, org, roles, allowed):
    user = make_cadre(tree[org], *roles, username=f"{org}_{'_'.join(roles)}")
    assert can_approve_transfer(user, people["inside"]) is allowed


def test_can_approve_transfer_inactive_account_refused(people, tree):
    user = make_cadre(tree["T111"], "approver")
    user.is_active = False
    assert can_approve_transfer(user, people["inside"]) is False


@pytest.mark.parametrize(("roles", "edit", "reveal"), [
    (["operator"], True, False), (["org_admin"], True, False), (["approver"], False, False),
    (["pii_viewer"], False, True), ([], False, False),
])
def test_can_edit_members_and_can_reveal_by_role(tree, roles, edit, reveal):
    user = make_cadre(tree["G1111"], *roles)
    assert (can_edit_members(user), can_reveal(user)) == (edit, reveal)
