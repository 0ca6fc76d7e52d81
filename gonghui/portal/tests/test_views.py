"""Issue 4: the worker pages, the public card check, the back-office decisions and posters, and the
portal.* figures. Each test names the part of the issue it covers. (Every URL as an outsider cadre:
gonghui/tests/test_urls_404.py.)"""

import datetime
import html
import re

import pytest
import segno
from django.urls import reverse
from django.utils import timezone

from gonghui.common.actors import system_actor
from gonghui.conftest import login, make_cadre
from gonghui.portal import actions, tokens
from gonghui.portal.models import CardCheck, JoinApplication, QrScan
from gonghui.stats.registry import compute

from .conftest import MOBILE, last_code, raw_facts, sign_up

pytestmark = pytest.mark.django_db


def signed_in(client, worker):
    client.force_login(worker.user)
    return client


def test_worker_pages_send_anonymous_to_the_worker_login_and_back(client, tree, sms_outbox):
    """Part 1: sign-in with a code through the pages (the htmx code button), then back to `next`;
    a `next` outside the worker pages is ignored."""
    response = client.get("/w/card/")
    assert response.status_code == 302 and response["Location"] == "/w/login/?next=/w/card/"
    sent = client.post(reverse("portal:send_code"), {"mobile": MOBILE}, HTTP_HX_REQUEST="true")
    assert "验证码已发送" in sent.content.decode()
    again = client.post(reverse("portal:send_code"), {"mobile": MOBILE}, HTTP_HX_REQUEST="true")
    assert "60秒" in again.content.decode()
    wrong = client.post("/w/login/?next=/w/card/", {"mobile": MOBILE, "code": "000000" if last_code(
        sms_outbox) != "000000" else "111111", "next": "/w/card/"})
    assert "验证码错误或已过期" in wrong.content.decode() and 'value="13812345678"' in wrong.content.decode()
    response = client.post("/w/login/", {"mobile": MOBILE, "code": last_code(sms_outbox), "next": "/w/card/"})
    assert response.status_code == 302 and response["Location"] == "/w/card/"
    client.logout()
    actions.LoginCode.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=2))
    actions.request_code(mobile_number=MOBILE, ip="127.0.0.1")
    response = client.post("/w/login/", {"mobile": MOBILE, "code": last_code(sms_outbox),
                                         "next": "https://example.com/"})
    assert response["Location"] == reverse("portal:home")


def test_cadre_gets_404_on_worker_pages_and_workers_on_each_others_applications(client, tree, sms_outbox):
    """Outsiders: a cadre on a worker page, another worker on someone's application, get 404."""
    owner = sign_up(sms_outbox)
    application = actions.submit_application(worker=owner, org=tree["G1111"], channel="search", raw=raw_facts())
    other = sign_up(sms_outbox, "13900001111")
    signed_in(client, other)
    for url in (f"/w/applications/{application.pk}/", f"/w/applications/{application.pk}/withdraw/"):
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    assert JoinApplication.objects.get().status == "submitted"
    signed_in(client, owner)
    assert "确定撤回" in client.get(f"/w/applications/{application.pk}/withdraw/").content.decode()
    assert JoinApplication.objects.get().status == "submitted"  # a GET only asks
    client.post(f"/w/applications/{application.pk}/withdraw/")
    assert JoinApplication.objects.get().status == "withdrawn"
    login(client, make_cadre(tree["G1111"], "approver"))
    assert client.get("/w/").status_code == 404


def test_scan_counts_and_leads_to_the_application_by_qr(client, tree, sms_outbox):
    """Part 3: a poster's link is counted and leads to the form; the application is recorded as by QR.
    A forged link answers 404 with a Chinese explanation."""
    link = actions.join_link(tree["G1111"], by=system_actor())
    response = client.get(reverse("portal:scan", args=[tokens.join_token(link)]))
    assert response["Location"] == f"/w/join/{tree['G1111'].pk}/?via=qr"
    assert QrScan.objects.filter(link=link).count() == 1
    signed_in(client, sign_up(sms_outbox))
    page = client.get(response["Location"])
    assert "扫码入会" in page.content.decode() and "合肥瑶海机械有限公司工会" in page.content.decode()
    form = raw_facts() | {"is_migrant_worker": "否", "ethnicity": "01", "education": "", "worker_group": ""}
    done = client.post(response["Location"], form)
    application = JoinApplication.objects.get()
    assert done["Location"] == f"/w/applications/{application.pk}/" and application.channel == "qr"
    bad = client.get(reverse("portal:scan", args=["forged"]))
    assert bad.status_code == 404 and "二维码已失效" in bad.content.decode()


def test_apply_form_keeps_what_was_typed_and_shows_errors_on_fields(client, tree, sms_outbox):
    """Part 6: a failed form keeps the values typed and names the field with a Chinese message."""
    signed_in(client, sign_up(sms_outbox))
    wrong_id = raw_facts()["id_number"][:-1] + ("0" if raw_facts()["id_number"][-1] != "0" else "1")
    response = client.post(f"/w/join/{tree['G1111'].pk}/", {"name": "李四", "id_number": wrong_id, "mobile": "",
                                                           "is_migrant_worker": "否"})
    text = response.content.decode()
    assert response.status_code == 200 and 'value="李四"' in text and "校验位" in text
    assert not JoinApplication.objects.exists()


def test_find_union_by_name_by_region_and_the_federation_path(client, tree, sms_outbox):
    """Part 2: find a union by employer name or by region; (不惊动单位) the federation path lists
    federations and area/sector unions, not employers' unions."""
    signed_in(client, sign_up(sms_outbox))
    text = client.get("/w/join/?via=federation&q=明光路").content.decode()
    assert "明光路街道总工会" in text and "明光路商圈联合工会" in text
    by_region = client.get(f"/w/join/?area={tree['K11'].pk}").content.decode()  # 按地区: 瑶海区
    assert "合肥瑶海机械有限公司工会" in by_region and "合肥庐阳食品有限公司工会" not in by_region
    employers = client.get("/w/join/?q=瑶海机械").content.decode()
    assert "合肥瑶海机械有限公司工会" in employers
    assert "合肥瑶海机械有限公司工会" not in client.get("/w/join/?via=federation&q=瑶海机械").content.decode()


def test_card_page_qr_carries_the_verify_link_and_refreshes(client, tree, sms_outbox, member_factory):
    """Part 4: the card shows name, union, number and join date; its QR code encodes the signed check
    URL shown in data-verify-url; the htmx refresh answers the QR fragment alone."""
    worker = sign_up(sms_outbox)
    member = member_factory(name="王五", id_number=raw_facts()["id_number"], mobile=MOBILE)
    actions.bind_member(worker=worker, name="王五", id_number=raw_facts()["id_number"])
    signed_in(client, worker)
    text = client.get("/w/card/").content.decode()
    assert member.member_number in text and "合肥瑶海机械有限公司工会" in text and "2020-05-01" in text
    url = html.unescape(re.search(r'data-verify-url="([^"]+)"', text).group(1))
    assert url.startswith("http://testserver/v/")
    expected = segno.make(url, error="m").svg_inline(scale=5, dark="#1a1a1a", omitsize=True)
    assert expected in text
    fragment = client.get("/w/card/", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div class="qr" id="card-qr"') and "<html" not in fragment
    check = client.get(url.removeprefix("http://testserver"))
    assert "有效" in check.content.decode() and "王*" in check.content.decode() and "王五" not in check.content.decode()


def test_verify_page_valid_revoked_forged_and_counted(client, tree, member_factory):
    """Part 4: the public page says valid / revoked, masked name and union only; a forged token 404."""
    member = member_factory(name="欧阳娜娜")
    card = actions.current_card(member)
    token = tokens.card_token(card)
    client.logout()
    valid = client.get(f"/v/{token}/").content.decode()
    assert "有效" in valid and "欧**娜" in valid and "合肥瑶海机械有限公司工会" in valid
    assert member.member_number not in valid and member.id_masked not in valid
    actions.revoke_card(card=card, by=make_cadre(tree["G1111"], "operator"), reason="手机丢失")
    assert "已失效" in client.get(f"/v/{token}/").content.decode()
    assert client.get("/v/forged-token/").status_code == 404
    assert list(CardCheck.objects.values_list("outcome", flat=True).order_by("id")) == ["valid", "revoked"]


def test_back_office_accept_and_return_through_the_pages(client, tree, sms_outbox):
    """Part 2: the approver's 通过 (POST) admits; 退回 needs a reason; a GET only shows the page."""
    worker = sign_up(sms_outbox)
    application = actions.submit_application(worker=worker, org=tree["G1111"], channel="search", raw=raw_facts())
    login(client, make_cadre(tree["T111"], "approver"))
    base = f"/admin/portal/joinapplication/{application.pk}"
    assert "通过入会申请" in client.get(f"{base}/accept/").content.decode()
    page = client.post(f"{base}/return/", {"reason": ""})
    assert page.status_code == 200 and JoinApplication.objects.get().status == "submitted"
    client.post(f"{base}/return/", {"reason": "请补充工作单位"})
    assert JoinApplication.objects.get().status == "returned"
    actions.resubmit_application(application=application, worker=worker, raw=raw_facts())
    client.post(f"{base}/accept/")
    application.refresh_from_db()
    assert application.status == "accepted" and application.member.org == tree["G1111"]


def test_poster_downloads_png_and_pdf_for_the_union_managers(client, tree):
    """Part 3: the poster, PNG and A4 PDF, for an operator or org admin of the union or above."""
    link = actions.join_link(tree["G1111"], by=system_actor())
    login(client, make_cadre(tree["T111"], "org_admin"))
    png = client.get(f"/admin/portal/joinlink/{link.pk}/poster-png/")
    assert png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG")
    pdf = client.get(f"/admin/portal/joinlink/{link.pk}/poster-pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    client.post(f"/admin/portal/joinlink/{link.pk}/rotate/")
    link.refresh_from_db()
    assert link.version == 2


def test_profile_corrects_own_facts_and_mobile_not_identity(client, tree, sms_outbox, member_factory):
    """Part 5: a member corrects education and mobile themselves (the mobile proven by a code)."""
    worker = sign_up(sms_outbox)
    member = member_factory(name="王五", id_number=raw_facts()["id_number"], mobile=MOBILE)
    actions.bind_member(worker=worker, name="王五", id_number=raw_facts()["id_number"])
    signed_in(client, worker)
    client.post("/w/profile/", {"what": "details", "education": "14", "political_status": "",
                                "household_type": "", "worker_group": "courier"})
    member.refresh_from_db()
    assert (member.education, member.worker_group) == ("14", "courier")
    actions.request_code(mobile_number="13700002222", ip="127.0.0.1")
    client.post("/w/profile/", {"what": "mobile", "mobile": "13700002222", "code": last_code(sms_outbox)})
    member.refresh_from_db()
    worker.refresh_from_db()
    assert member.mobile_masked == worker.mobile_masked == "137****2222"
    assert member.events.filter(kind="updated").count() == 2


def test_portal_figures_count_the_period(tree, sms_outbox, member_factory):
    """Part 7: applications received, approved, returned; QR scans and joins by QR; cards issued, verified."""
    link = actions.join_link(tree["G1111"], by=system_actor())
    actions.record_scan(link)
    actions.record_scan(link)
    first = actions.submit_application(worker=sign_up(sms_outbox), org=tree["G1111"], channel="qr", raw=raw_facts())
    approver = make_cadre(tree["G1111"], "approver")
    actions.return_application(application=first, by=approver, reason="补充")
    actions.resubmit_application(application=first, worker=first.worker, raw=raw_facts())
    card = actions.current_card(actions.accept_application(application=first, by=approver))
    CardCheck.objects.create(card=card, outcome="valid")
    today = timezone.localdate()
    figures = compute(tree["K11"], today, today, prefix="portal.")
    assert figures == {"portal.applications_received": 1, "portal.applications_approved": 1,
                       "portal.applications_returned": 1, "portal.qr_scans": 2, "portal.qr_joins": 1,
                       "portal.cards_issued": 1, "portal.cards_verified": 1}
    assert compute(tree["K21"], today, today, prefix="portal.")["portal.applications_received"] == 0
