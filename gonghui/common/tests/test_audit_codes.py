"""Issue 12, point 3 (audit codes in Chinese): every action code passed to `audit.record()` is registered with a
Chinese label by its app; `record()` refuses any other; the auditor's list, filter, search and export read Chinese
and keep the code."""

import ast
import io
import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from openpyxl import load_workbook

from gonghui.common import audit
from gonghui.common.models import AuditEntry
from gonghui.conftest import login, make_cadre

PACKAGE = Path(audit.__file__).resolve().parent.parent


def _codes(node: ast.expr, where: str) -> list[str | re.Pattern]:
    """The code(s) an action argument can be: a literal, either branch of `a if c else b`, or an f-string
    (as a pattern: its literal parts, anything of [a-z_] for its fields)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _codes(node.body, where) + _codes(node.orelse, where)
    if isinstance(node, ast.JoinedStr):
        parts = [re.escape(v.value) if isinstance(v, ast.Constant) else "[a-z_]+" for v in node.values]
        return [re.compile("".join(parts))]
    pytest.fail(f"{where}: the action code should be written out (a literal or an f-string), not {ast.unparse(node)}")


def recorded_codes() -> dict[str, list[str | re.Pattern]]:
    """Every `audit.record(...)` call in the package outside tests: its place → the codes it may record."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if {"tests", "migrations"} & set(path.parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "record"
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "audit"):
                where = f"{path.relative_to(PACKAGE)}:{node.lineno}"
                action = node.args[0] if node.args else next(k.value for k in node.keywords if k.arg == "action")
                if isinstance(action, ast.Name) and action.id == "audit_as":
                    continue  # a state machine's move() records the code its caller names (below)
                found[where] = _codes(action, where)
            # Transitions name their code to common.states.Machine.move(audit_as=...).
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg == "audit_as":
                        where = f"{path.relative_to(PACKAGE)}:{node.lineno}"
                        found[where] = _codes(keyword.value, where)
    return found


def test_every_recorded_action_code_is_registered_with_a_chinese_label():
    """Issue 12, point 3: a scan of the source for every record(...) call: each literal code is registered, each
    f-string matches registered codes; every label is Chinese."""
    calls = recorded_codes()
    assert len(calls) > 80  # the scan does see the calls
    registered = audit.registered()
    missing = [f"{where} {code}" for where, codes in calls.items() for code in codes
               if (code not in registered if isinstance(code, str) else not any(map(code.fullmatch, registered)))]
    assert missing == []
    assert [code for code, label in registered.items() if not re.search(r"[\u4e00-\u9fff]", label)] == []


def test_dynamic_codes_are_registered_for_every_value():
    """Issue 12, point 3: the codes built at run time — every hall transition, every end of membership, every
    ledger settings page — are each registered (an f-string only proves one of them is)."""
    registered = audit.registered()
    for code in ("hall_submit", "hall_accept", "hall_reject", "hall_approve", "hall_return", "hall_resubmit",
                 "hall_withdraw", "hall_transfer", "hall_escalate", "member_left", "member_retired",
                 "member_deceased", "ledger_paymentkind_add", "ledger_paymentkind_change", "ledger_fundsource_add",
                 "ledger_fundsource_change"):
        assert code in registered
    assert (registered["hall_return"], registered["member_retired"]) == ("办件退回补正", "会员退休")


@pytest.mark.django_db
def test_record_refuses_an_unregistered_code():
    """Issue 12, point 3: a code nobody registered raises, and nothing is written."""
    with pytest.raises(audit.UnregisteredAction, match="member_joined"):
        audit.record("member_joined", actor_name="系统")
    assert not AuditEntry.objects.exists()


def test_register_refuses_a_code_with_a_second_meaning(monkeypatch):
    """Issue 12, point 3: registering a code again with its own label is harmless; with another label, or a code
    longer than the column, is refused at start-up."""
    monkeypatch.setattr(audit, "_LABELS", dict(audit.registered()))
    audit.register({"member_join": "会员入会"})
    with pytest.raises(ImproperlyConfigured, match="member_join"):
        audit.register({"member_join": "会员加入"})
    with pytest.raises(ImproperlyConfigured):
        audit.register({"x" * 41: "太长"})
    assert audit.label("member_join") == "会员入会" and audit.label("retired_code") == "retired_code"


@pytest.fixture
def entries(tree):
    operator = make_cadre(tree["T111"], "operator")
    return {
        "join": audit.record("member_join", actor=operator, obj=tree["G1111"], object_repr="瑶海入会标记"),
        "export": audit.record("export", actor=operator, object_repr="瑶海导出标记"),
        "other": audit.record("member_join", actor=make_cadre(tree["K21"], "operator"), obj=tree["G2111"],
                              object_repr="镜湖入会标记"),
    }


@pytest.mark.django_db
def test_auditor_list_and_filter_read_chinese(client, tree, entries):
    """Issue 12, point 3: the auditor's changelist shows the label in the column and the filter's choices; the
    filter selects by code; an auditor of another county sees none of these entries."""
    login(client, make_cadre(tree["K11"], "auditor"))
    body = client.get("/admin/common/auditentry/").content.decode()
    assert "会员入会" in body and "导出" in body and ">member_join<" not in body
    assert "?action=member_join" in body and "办件退回补正" in body  # filter choices: every registered code
    filtered = client.get("/admin/common/auditentry/?action=member_join").content.decode()
    assert "瑶海入会标记" in filtered and "瑶海导出标记" not in filtered and "镜湖入会标记" not in filtered
    login(client, make_cadre(tree["K21"], "auditor"))
    assert "瑶海入会标记" not in client.get("/admin/common/auditentry/?action=member_join").content.decode()
    assert client.get(f"/admin/common/auditentry/{entries['join'].pk}/change/").status_code == 404


@pytest.mark.django_db
def test_auditor_search_finds_by_code_or_chinese_label(client, tree, entries):
    """Issue 12, point 3: the code stays searchable, and so is the label; the detail page shows both."""
    login(client, make_cadre(tree["K11"], "auditor"))
    for term in ("member_join", "入会"):
        body = client.get("/admin/common/auditentry/", {"q": term}).content.decode()
        assert "瑶海入会标记" in body and "瑶海导出标记" not in body and "镜湖入会标记" not in body
    detail = client.get(f"/admin/common/auditentry/{entries['join'].pk}/change/").content.decode()
    assert "会员入会" in detail and "member_join" in detail and "操作代码" in detail


@pytest.mark.django_db
def test_audit_export_has_the_label_and_the_code(client, tree, entries):
    """Issue 12, point 3: the auditor's Excel export has the label and, beside it, the code; only the auditor's
    subtree is exported even when another's id is posted."""
    login(client, make_cadre(tree["K11"], "auditor"))
    response = client.post("/admin/common/auditentry/", {
        "action": "export_xlsx", "_selected_action": [e.pk for e in entries.values()]})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    at = header.index("操作")
    assert header[at + 1] == "操作代码"
    assert sorted((r[at], r[at + 1], r[header.index("对象")]) for r in rows[1:]) == [
        ("会员入会", "member_join", "瑶海入会标记"), ("导出", "export", "瑶海导出标记")]
