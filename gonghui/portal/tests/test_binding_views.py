"""Issue 12, point 5: the binding pages. The worker's two steps on the phone, one answer for every mismatch,
the waiting state, and the union's 确认 / 驳回 in the back office with an outsider who gets 404. Each test names
the acceptance point it covers."""

import re

import pytest

from gonghui.conftest import login, make_cadre
from gonghui.portal.models import BindingRequest, Worker

from .conftest import last_code, make_id, sign_up

pytestmark = pytest.mark.django_db
PERSON = make_id(region="110105", birth="19491231", seq=2)
REGISTERED = "13900001234"
CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]+"')


def signed_in(client, worker):
    client.force_login(worker.user)
    return client


def bound_member(worker):
    return Worker.objects.get(pk=worker.pk).member


def test_bind_page_two_steps_through_the_registered_mobile(client, worker, member_factory, sms_outbox):
    """Point 5.1: step 1 name + ID number → the page says the code went to the masked registered mobile;
    a wrong code is refused on the page; step 2 with the right code binds and leads to 我的."""
    member = member_factory(name="王五", id_number=PERSON, mobile=REGISTERED)
    signed_in(client, worker)
    page = client.post("/w/bind/", {"what": "details", "name": "王五", "id_number": PERSON}, follow=True)
    text = page.content.decode()
    assert "验证码已发送至会员登记手机 139****1234" in text and 'id="bind-code-form"' in text
    assert sms_outbox[-1]["to"] == REGISTERED and 'id="bind-form"' not in text
    wrong = client.post("/w/bind/", {"what": "code", "code": "abcdef"}).content.decode()
    assert "验证码错误或已过期" in wrong and bound_member(worker) is None
    response = client.post("/w/bind/", {"what": "code", "code": last_code(sms_outbox)})
    assert response.status_code == 302 and response["Location"] == "/w/"
    assert bound_member(worker) == member
    home = client.get("/w/").content.decode()
    assert "实名绑定成功。" in home and member.member_number in home


@pytest.mark.parametrize("registered", [REGISTERED, ""], ids=["with-mobile", "without-mobile"])
def test_bind_page_same_response_for_no_such_member_and_wrong_details(client, worker, member_factory, sms_outbox,
                                                                       registered):
    """Point 5.3: the same typed details get the same page, word for word, whether no record has that ID
    number or the record's name differs, and whether or not that record has a mobile."""
    signed_in(client, worker)
    typed = {"what": "details", "name": "王六", "id_number": PERSON}
    nobody = client.post("/w/bind/", typed)
    member_factory(name="王五", id_number=PERSON, mobile=registered)
    wrong_name = client.post("/w/bind/", typed)
    assert nobody.status_code == wrong_name.status_code == 200
    assert CSRF.sub("", nobody.content.decode()) == CSRF.sub("", wrong_name.content.decode())
    assert "没有找到与该姓名、身份证号一致的在会会员记录" in nobody.content.decode()
    assert not BindingRequest.objects.exists()


def test_bind_page_resend_and_start_again(client, worker, member_factory, sms_outbox):
    """Point 5.1: the code step offers a new code (within the code limits) and a way back to step 1."""
    member_factory(name="王五", id_number=PERSON, mobile=REGISTERED)
    signed_in(client, worker)
    client.post("/w/bind/", {"what": "details", "name": "王五", "id_number": PERSON})
    too_soon = client.post("/w/bind/", {"what": "resend"}).content.decode()
    assert "验证码已发送，请60秒后再重新获取。" in too_soon and 'id="bind-code-form"' in too_soon
    again = client.get("/w/bind/?again=1").content.decode()
    assert 'id="bind-code-form"' in again and 'id="bind-form"' in again


def test_bind_without_mobile_waits_then_the_union_confirms_in_the_back_office(client, worker, tree, member_factory):
    """Point 5.2: no registered mobile → "已提交，等待工会确认" on the worker's pages; the union's 经办人 sees the
    request in 实名绑定确认 and confirms it (GET shows, POST acts); the worker is bound."""
    member = member_factory(name="王五", id_number=PERSON)
    signed_in(client, worker)
    client.post("/w/bind/", {"what": "details", "name": "王五", "id_number": PERSON})
    assert "已提交，等待工会确认" in client.get("/w/bind/").content.decode()
    assert "实名绑定已提交，等待工会确认" in client.get("/w/").content.decode()
    binding = BindingRequest.objects.get()
    login(client, make_cadre(tree["T111"], "operator"))
    listing = client.get("/admin/portal/bindingrequest/").content.decode()
    assert member.member_number in listing and "110105********002X" in listing and "待确认" in listing
    detail = client.get(f"/admin/portal/bindingrequest/{binding.pk}/change/").content.decode()
    assert f"/admin/portal/bindingrequest/{binding.pk}/confirm/" in detail
    shown = client.get(f"/admin/portal/bindingrequest/{binding.pk}/confirm/").content.decode()
    assert "确认实名绑定：王五" in shown and "138****5678" in shown and bound_member(worker) is None
    client.post(f"/admin/portal/bindingrequest/{binding.pk}/confirm/")
    assert bound_member(worker) == member
    binding.refresh_from_db()
    assert binding.status == "bound"


def test_bind_union_rejects_through_the_back_office_and_the_worker_reads_why(client, worker, tree, member_factory):
    """Point 5.2: 驳回 needs a reason (the page stays without one); the worker's binding page shows it."""
    member_factory(name="王五", id_number=PERSON)
    signed_in(client, worker)
    client.post("/w/bind/", {"what": "details", "name": "王五", "id_number": PERSON})
    binding = BindingRequest.objects.get()
    login(client, make_cadre(tree["G1111"], "org_admin"))
    assert client.post(f"/admin/portal/bindingrequest/{binding.pk}/reject/", {"reason": ""}).status_code == 200
    assert BindingRequest.objects.get().status == "pending"
    client.post(f"/admin/portal/bindingrequest/{binding.pk}/reject/", {"reason": "请到工会办公室核验身份证"})
    assert BindingRequest.objects.get().status == "rejected"
    signed_in(client, worker)
    page = client.get("/w/bind/").content.decode()
    assert "工会未确认您上次的绑定申请：请到工会办公室核验身份证" in page and 'id="bind-form"' in page


def test_bind_request_outsider_cadre_gets_404(client, worker, tree, member_factory, sms_outbox):
    """Point 5.2: another county's cadre, with every role, gets 404 on the request, its 确认 and 驳回 (GET and
    POST) and does not see it listed; an inside 审核人 without 经办人/单位管理员 gets 404 on 确认; nothing changes.
    An SMS binding is not a union's to decide: 404 even inside."""
    member_factory(name="王五", id_number=PERSON)
    signed_in(client, worker).post("/w/bind/", {"what": "details", "name": "王五", "id_number": PERSON})
    binding = BindingRequest.objects.get()
    login(client, make_cadre(tree["K21"], "operator", "approver", "org_admin"))
    assert "王五" not in client.get("/admin/portal/bindingrequest/").content.decode()
    base = f"/admin/portal/bindingrequest/{binding.pk}"
    for path in ("change", "confirm", "reject"):
        assert client.get(f"{base}/{path}/").status_code == 404
        assert client.post(f"{base}/{path}/", {"reason": "不认识"}).status_code == 404
    login(client, make_cadre(tree["G1111"], "approver"))
    assert client.post(f"{base}/confirm/").status_code == 404
    binding.refresh_from_db()
    assert binding.status == "pending" and bound_member(worker) is None
    other = sign_up(sms_outbox, "13700001111", ip="10.0.0.7")
    member_factory(name="赵六", id_number=make_id(seq=888), mobile=REGISTERED)
    signed_in(client, other).post("/w/bind/", {"what": "details", "name": "赵六", "id_number": make_id(seq=888)})
    sms = BindingRequest.objects.get(via="sms")
    login(client, make_cadre(tree["G1111"], "operator"))
    assert client.get(f"/admin/portal/bindingrequest/{sms.pk}/confirm/").status_code == 404
