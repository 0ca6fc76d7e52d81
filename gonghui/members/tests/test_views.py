"""Member pages (issue 3 parts 4 and 5): the reveal of full numbers (permission, reason, POST, fresh
login, audit), the timeline, the lifecycle steps and transfers — and outsiders getting 404 on each."""

import time

import pytest

from gonghui.common.models import AuditEntry
from gonghui.conftest import PASSWORD, login, make_cadre
from gonghui.members.models import Member, MemberEvent, Transfer

from .conftest import make_id

ID = make_id("340102", "19900101", 881)
MOBILE = "13712345678"


def reveal_url(member) -> str:
    return f"/admin/members/member/{member.pk}/reveal/"


def age_login(client, seconds: int) -> None:
    """Pretend the session logged in `seconds` ago (within the absolute session timeout)."""
    client.get("/admin/")  # the middleware stamps gh_login_at on the first request
    session = client.session
    session["gh_login_at"] = int(time.time()) - seconds
    session.save()


@pytest.fixture
def member(member_factory):
    return member_factory(name="蒋一", id_number=ID, mobile=MOBILE)


# --- Reveal (R-PI-3) -------------------------------------------------------------------------

def test_reveal_get_shows_the_form_but_no_numbers(tree, cadre_client, member):
    client = cadre_client(tree["K11"], "pii_viewer")
    response = client.get(reveal_url(member))
    body = response.content.decode()
    assert response.status_code == 200 and "查看原因" in body
    assert ID not in body and MOBILE not in body
    assert not AuditEntry.objects.filter(action="pii_reveal").exists()


def test_reveal_post_with_reason_shows_numbers_once_and_audits(tree, cadre_client, member):
    """Part 4: permission + reason + POST + fresh login → the numbers, no-store, an audit entry."""
    client = cadre_client(tree["K11"], "pii_viewer")
    response = client.post(reveal_url(member), {"reason": "核实身份办理帮扶"})
    body = response.content.decode()
    assert response.status_code == 200
    assert ID in body and MOBILE in body
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get(action="pii_reveal")
    assert (entry.actor, entry.object_id) == (client.user, str(member.pk))
    assert entry.changes == {"reason": "核实身份办理帮扶"}
    assert ID not in str(entry.__dict__) and MOBILE not in str(entry.__dict__)


def test_reveal_needs_a_reason(tree, cadre_client, member):
    client = cadre_client(tree["K11"], "pii_viewer")
    response = client.post(reveal_url(member), {"reason": ""})
    assert ID not in response.content.decode()
    assert "reason" in response.context["form"].errors
    assert not AuditEntry.objects.filter(action="pii_reveal").exists()


def test_reveal_with_a_stale_login_needs_the_password(tree, cadre_client, member, settings):
    """Part 4: a fresh login — logged in or password re-entered within REAUTH_SECONDS."""
    settings.REAUTH_SECONDS = 600
    client = cadre_client(tree["K11"], "pii_viewer")
    age_login(client, 3600)
    assert "登录密码" in client.get(reveal_url(member)).content.decode()
    response = client.post(reveal_url(member), {"reason": "核实身份"})  # no password
    assert ID not in response.content.decode() and "password" in response.context["form"].errors
    response = client.post(reveal_url(member), {"reason": "核实身份", "password": "wrong-Password1"})
    assert ID not in response.content.decode()
    assert response.context["form"].errors["password"] == ["密码不正确，请重新输入。"]
    assert not AuditEntry.objects.filter(action="pii_reveal").exists()
    assert AuditEntry.objects.filter(action="login_failed").count() == 1  # counted like a failed login
    response = client.post(reveal_url(member), {"reason": "核实身份", "password": PASSWORD})
    assert ID in response.content.decode()
    assert AuditEntry.objects.filter(action="pii_reveal").count() == 1
    # The password made the login fresh again: the next reveal asks for a reason only.
    response = client.post(reveal_url(member), {"reason": "再次核实"})
    assert ID in response.content.decode()


def test_reveal_without_the_role_is_not_found(tree, cadre_client, member):
    """Decision: an insider without pii_viewer gets 404, as ScopedAdmin answers for a missing role."""
    client = cadre_client(tree["K11"], "operator", "org_admin", "approver")
    assert client.get(reveal_url(member)).status_code == 404
    response = client.post(reveal_url(member), {"reason": "核实身份"})
    assert response.status_code == 404 and ID not in response.content.decode()
    assert not AuditEntry.objects.filter(action="pii_reveal").exists()


def test_reveal_by_an_outsider_is_not_found(tree, cadre_client, member):
    client = cadre_client(tree["K21"], "pii_viewer")
    assert client.get(reveal_url(member)).status_code == 404
    response = client.post(reveal_url(member), {"reason": "核实身份"})
    assert response.status_code == 404 and ID not in response.content.decode()
    assert not AuditEntry.objects.filter(action="pii_reveal").exists()
    assert AuditEntry.objects.filter(action="access_denied", actor=client.user).exists()


# --- Timeline ----------------------------------------------------------------------------------

def test_timeline_lists_events_with_both_unions_of_a_transfer(tree, client, member):
    from gonghui.members import actions

    requester = make_cadre(tree["K12"], "operator", username="k12_op")
    approver = make_cadre(tree["K11"], "approver", username="k11_ap")
    transfer = actions.request_transfer(id_number=ID, name="蒋一", to_org=tree["G1211"], by=requester)
    actions.decide_transfer(transfer, approve=True, by=approver, note="同意")
    login(client, make_cadre(tree["K12"], "operator"))
    response = client.get(f"/admin/members/member/{member.pk}/timeline/")
    body = response.content.decode()
    assert [e.kind for e in response.context["events"]] == ["joined", "transferred"]
    assert "合肥瑶海机械有限公司工会 → 合肥庐阳食品有限公司工会" in body and "转会" in body
    assert ID not in body and MOBILE not in body


def test_timeline_of_an_outside_member_is_not_found(tree, cadre_client, member):
    assert cadre_client(tree["K21"], "operator").get(f"/admin/members/member/{member.pk}/timeline/").status_code == 404


# --- Lifecycle -----------------------------------------------------------------------------------

@pytest.mark.parametrize("step, status", [("leave", "left"), ("retire", "retired"), ("decease", "deceased")])
def test_end_membership_pages(tree, cadre_client, member, step, status):
    client = cadre_client(tree["K11"], "operator")
    url = f"/admin/members/member/{member.pk}/{step}/"
    assert "日期" in client.get(url).content.decode()
    response = client.post(url, {"date": "2025-06-30", "note": "本人申请"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.status, str(member.status_date)) == (status, "2025-06-30")
    event = member.events.last()
    assert (event.kind, event.note, event.by) == (status, "本人申请", client.user)
    response = client.post(url, {"date": "2025-07-01"})  # no longer active
    assert "不能再办理此项" in response.content.decode()


def test_end_membership_refuses_a_date_before_joining(tree, cadre_client, member):
    client = cadre_client(tree["K11"], "operator")
    response = client.post(f"/admin/members/member/{member.pk}/leave/", {"date": "2019-01-01"})
    assert response.context["form"].errors["date"] == ["日期不能早于入会日期。"]
    member.refresh_from_db()
    assert member.status == Member.Status.ACTIVE


def test_end_membership_needs_the_edit_role_and_the_subtree(tree, cadre_client, client, member):
    assert cadre_client(tree["K21"], "operator").post(
        f"/admin/members/member/{member.pk}/leave/", {"date": "2025-06-30"}).status_code == 404
    login(client, make_cadre(tree["K11"], "approver"))
    assert client.post(f"/admin/members/member/{member.pk}/leave/", {"date": "2025-06-30"}).status_code == 404
    member.refresh_from_db()
    assert member.status == Member.Status.ACTIVE


# --- Transfers -----------------------------------------------------------------------------------

def request_by_receiving_union(client, tree, **extra):
    data = {"to_org": tree["G1211"].pk, "doc_type": "resident", "id_number": ID, "name": "蒋一",
            "reason": "已调入本单位"} | extra
    return client.post("/admin/members/transfer/add/", data)


def test_transfer_request_approve_moves_the_member(tree, client, member):
    """Part 5: the receiving union requests, the current union's approver approves; history on both sides."""
    requester = make_cadre(tree["K12"], "operator", username="k12_op")
    login(client, requester)
    response = request_by_receiving_union(client, tree)
    assert response.status_code == 302
    transfer = Transfer.objects.get()
    assert (transfer.from_org, transfer.to_org, transfer.status) == (tree["G1111"], tree["G1211"], "pending")
    body = client.get(f"/admin/members/transfer/{transfer.pk}/change/").content.decode()
    assert "撤回申请" in body and "同意转会" not in body

    approver = make_cadre(tree["T111"], "approver", username="t111_ap")
    login(client, approver)
    page = client.get(f"/admin/members/transfer/{transfer.pk}/change/").content.decode()
    assert "同意转会" in page and "撤回申请" not in page
    response = client.post(f"/admin/members/transfer/{transfer.pk}/approve/", {"note": ""})
    assert response.status_code == 302
    member.refresh_from_db()
    transfer.refresh_from_db()
    assert member.org == tree["G1211"] and transfer.status == "approved" and transfer.decided_by == approver
    event = MemberEvent.objects.get(member=member, kind="transferred")
    assert (event.org, event.to_org) == (tree["G1111"], tree["G1211"])
    # Both sides keep the history: the old union in its records, the new one too.
    assert event in MemberEvent.objects.filter(MemberEvent.scope_q(tree["T111"]))
    assert event in MemberEvent.objects.filter(MemberEvent.scope_q(tree["K12"]))
    assert "蒋一" in client.get("/admin/members/memberevent/").content.decode()
    # The old union no longer reaches the member; the new one does.
    assert client.get(f"/admin/members/member/{member.pk}/change/").status_code == 404
    login(client, requester)
    assert client.get(f"/admin/members/member/{member.pk}/change/").status_code == 200


def test_transfer_request_with_wrong_name_reveals_nothing(tree, cadre_client, member):
    client = cadre_client(tree["K12"], "operator")
    response = request_by_receiving_union(client, tree, name="别人")
    body = response.content.decode()
    assert response.status_code == 200 and "未找到与该证件号码和姓名相符的在会会员" in body
    assert "瑶海" not in body and not Transfer.objects.exists()


def test_transfer_reject_needs_a_note(tree, client, member):
    login(client, make_cadre(tree["K12"], "operator", username="k12_op"))
    request_by_receiving_union(client, tree)
    transfer = Transfer.objects.get()
    login(client, make_cadre(tree["K11"], "approver"))
    url = f"/admin/members/transfer/{transfer.pk}/reject/"
    response = client.post(url, {"note": ""})
    assert response.context["form"].errors["note"] == ["拒绝转会时请填写理由。"]
    transfer.refresh_from_db()
    assert transfer.status == "pending"
    assert client.post(url, {"note": "本人未办理离职"}).status_code == 302
    transfer.refresh_from_db()
    member.refresh_from_db()
    assert (transfer.status, transfer.decision_note, member.org) == ("rejected", "本人未办理离职", tree["G1111"])


def test_requester_cannot_approve_their_own_request(tree, client, member):
    """An approver above both unions requests a transfer: the approval must come from someone else."""
    both = make_cadre(tree["C1"], "operator", "approver")
    login(client, both)
    request_by_receiving_union(client, tree)
    transfer = Transfer.objects.get()
    response = client.post(f"/admin/members/transfer/{transfer.pk}/approve/", {"note": ""})
    assert "不能审批自己提出的转会申请" in response.content.decode()
    transfer.refresh_from_db()
    member.refresh_from_db()
    assert transfer.status == "pending" and member.org == tree["G1111"]


def test_receiving_union_cannot_approve_but_can_cancel(tree, client, member):
    login(client, make_cadre(tree["K12"], "operator", "approver", username="k12_both"))
    request_by_receiving_union(client, tree)
    transfer = Transfer.objects.get()
    assert client.post(f"/admin/members/transfer/{transfer.pk}/approve/", {"note": ""}).status_code == 404
    assert client.post(f"/admin/members/transfer/{transfer.pk}/cancel/").status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == "cancelled"


def test_outsider_cannot_see_or_decide_a_transfer(tree, client, member):
    login(client, make_cadre(tree["K12"], "operator", username="k12_op"))
    request_by_receiving_union(client, tree)
    transfer = Transfer.objects.get()
    login(client, make_cadre(tree["K21"], "operator", "approver", "org_admin"))
    for step in ("change", "approve", "reject", "cancel"):
        assert client.get(f"/admin/members/transfer/{transfer.pk}/{step}/").status_code == 404
        assert client.post(f"/admin/members/transfer/{transfer.pk}/{step}/", {"note": "x"}).status_code == 404
    transfer.refresh_from_db()
    assert transfer.status == "pending"
    assert "蒋一" not in client.get("/admin/members/transfer/").content.decode()


def test_revealed_numbers_have_a_masked_repr():
    """R-PI-9: Django logs failed template lookups with the repr of the whole context; the revealed
    numbers (and typed ones shown again on a form) carry a masked repr."""
    from gonghui.members.forms import Unlogged

    shown = Unlogged(ID)
    assert str(shown) == ID and f"{shown}" == ID
    assert ID not in repr(shown) and ID not in repr({"values": {"id_number": shown}})
    assert repr(Unlogged(MOBILE)) == repr("137****5678")
