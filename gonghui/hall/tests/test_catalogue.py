"""Issue 5 parts 1 and 4: items managed in the back office and versioned (an application keeps the version it
was filed under); the holiday table kept by administrators. Each test names the part it covers."""

import datetime

import pytest

from gonghui.common.errors import DomainError
from gonghui.common.models import AuditEntry
from gonghui.conftest import login, make_cadre
from gonghui.hall import actions, workdays
from gonghui.hall.models import HolidayDay, ServiceItem

pytestmark = pytest.mark.django_db


def spec_of(item: ServiceItem, **changes) -> dict:
    v = item.current
    return {"guide": v.guide, "applicants": v.applicants, "fields": v.fields, "attachments": v.attachments,
            "level": v.level, "steps": v.steps, "time_limit_days": v.time_limit_days, "effect": v.effect} | changes


def test_changing_an_item_makes_a_new_version_and_old_applications_keep_theirs(tree, django_user_model):
    """Part 1: versioned items."""
    item = ServiceItem.objects.get(code="skills_training")
    applicant = django_user_model.objects.create(username="w_v")
    before = actions.file_application(item=item, applicant=applicant, applicant_org=tree["G1111"],
                                      applicant_name="李四", raw={"name": "李四", "mobile": "13812345678",
                                                                 "course": "电工"})
    admin = make_cadre(tree["P"], "org_admin")
    item = actions.save_item(item=item, code=item.code, name=item.name, active=True,
                             spec=spec_of(item, time_limit_days=3), by=admin)
    assert item.current.number == 2 and item.current.time_limit_days == 3
    before.refresh_from_db()
    assert before.version.number == 1 and before.version.time_limit_days == 5
    same = actions.save_item(item=item, code=item.code, name="技能培训报名（新）", active=True, spec=spec_of(item),
                             by=admin, order=7)
    assert same.current.number == 2 and same.name == "技能培训报名（新）"  # nothing of the definition changed
    assert ServiceItem.objects.get(pk=item.pk).order == 7  # 排序 is kept (the editor used to drop it)
    assert AuditEntry.objects.filter(action="hall_item").count() == 2


def test_only_province_administrators_manage_items_and_definitions_are_checked(tree):
    """Part 1: a county administrator is refused; a bad definition says what is wrong."""
    item = ServiceItem.objects.get(code="skills_training")
    with pytest.raises(DomainError, match="省级工会的单位管理员"):
        actions.save_item(item=item, code=item.code, name=item.name, active=True, spec=spec_of(item),
                          by=make_cadre(tree["K11"], "org_admin"))
    admin = make_cadre(tree["P"], "org_admin")
    bad = [({"steps": []}, "办理环节"), ({"steps": [{"name": "受理", "role": "boss"}]}, "办理环节"),
           ({"fields": [{"name": "a", "label": "甲", "type": "color"}]}, "类型"),
           ({"attachments": [{"name": "f", "label": "文件", "types": ["exe"]}]}, "文件类型"),
           ({"time_limit_days": 0}, "办理时限"), ({"effect": "nothing"}, "办结效果")]
    for change, message in bad:
        with pytest.raises(DomainError, match=message):
            actions.save_item(item=item, code=item.code, name=item.name, active=True, spec=spec_of(item, **change),
                              by=admin)


def test_item_page_saves_a_new_version(client, tree):
    """Part 1: the back-office form; a county cadre may read the catalogue but not change it."""
    item = ServiceItem.objects.get(code="legal_aid")
    before = item.current.number
    login(client, make_cadre(tree["P"], "org_admin"))
    import json

    data = {"name": item.name, "active": "on", "order": item.order, "guide": "新的指南", "level": "county",
            "time_limit_days": 7, "effect": "", "applicants": json.dumps(item.current.applicants),
            "steps": json.dumps(item.current.steps), "fields_spec": json.dumps(item.current.fields),
            "attachments": "[]"}
    response = client.post(f"/admin/hall/serviceitem/{item.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    item.refresh_from_db()
    assert (item.current.number, item.current.guide, item.current.time_limit_days) == (before + 1, "新的指南", 7)
    login(client, make_cadre(tree["K11"], "org_admin"))
    assert client.get(f"/admin/hall/serviceitem/{item.pk}/change/").status_code == 200  # read-only view
    assert client.post(f"/admin/hall/serviceitem/{item.pk}/change/", data).status_code in (403, 404)
    item.refresh_from_db()
    assert item.current.number == before + 1


def test_holiday_table_covers_a_year_the_package_does_not(tree):
    """Part 4: administrators enter 2027's holidays; deadlines counted across them are no longer flagged."""
    assert workdays.add_workdays(datetime.date(2026, 12, 30), 3).uncovered
    admin = make_cadre(tree["P"], "org_admin")
    actions.set_holiday(day=datetime.date(2027, 1, 1), kind="holiday", name="元旦", by=admin)
    deadline = workdays.add_workdays(datetime.date(2026, 12, 30), 3)
    assert deadline == workdays.Deadline(datetime.date(2027, 1, 5), False)  # 31 Dec, (1 Jan off), 4 Jan, 5 Jan
    with pytest.raises(DomainError, match="省级工会"):
        actions.set_holiday(day=datetime.date(2027, 1, 2), kind="holiday", name="", by=make_cadre(tree["K11"],
                                                                                                  "org_admin"))
    assert HolidayDay.objects.count() == 1
