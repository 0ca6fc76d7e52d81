"""Issue 3 part 4 (R-PI-9): no ID number or phone appears in the logs. The autouse `pii_log_guard`
(gonghui/conftest.py) fails any test whose code logs one; these tests show that it catches them."""

import logging

import pytest

from gonghui.conftest import PiiLogGuard, pii_in_log_lines

ID = "11010519491231002X"
MOBILE = "13812345678"


@pytest.mark.parametrize("line", [
    f"导入第3行：身份证号{ID}重复",
    f"id={ID.lower()}",
    f"mobile {MOBILE}",
    f"+86 {MOBILE}",
    f"手机号:{MOBILE}。",
    f"GET /members/search?q={ID} 404",
])
def test_log_checker_finds_numbers_and_masks_them(line):
    (masked,) = pii_in_log_lines([line])
    assert ID not in masked and ID.lower() not in masked and MOBILE not in masked
    assert "********" in masked or "****" in masked


@pytest.mark.parametrize("line", [
    "导入完成：1000 行，用时 0.5 秒",
    "110105********002X",
    "138****5678",
    "v1:sm4:q83vAAAA/BBB+CCC==",
    "会员证号 340202600000018",  # 15 digits: a member number, not an 18-character ID
    "1700000000000 ms",  # a 13-digit timestamp is no mobile
    "a" * 64,
])
def test_log_checker_ignores_masked_and_other_numbers(line):
    assert pii_in_log_lines([line]) == []


def test_log_guard_catches_planted_line_at_every_level(pii_log_guard):
    logging.getLogger("gonghui.members.importing").debug("第 %d 行 身份证号 %s", 3, ID)
    logging.getLogger("django.request").info("mobile=%s", MOBILE)
    logging.getLogger().warning("ok: 导入完成")
    problems = pii_log_guard.problems()
    assert problems == ["gonghui.members.importing DEBUG 第 3 行 身份证号 110105********002X",
                        "django.request INFO mobile=138****5678"]
    pii_log_guard.records.clear()  # planted on purpose: let this test pass its own guard


def test_log_guard_catches_numbers_in_exception_text(pii_log_guard):
    guard = PiiLogGuard().start()
    try:
        try:
            raise ValueError(f"bad {ID}")
        except ValueError:
            logging.getLogger("gonghui.tests").exception("导入失败")
    finally:
        guard.stop()
    assert len(guard.problems()) == 1 and "110105********002X" in guard.problems()[0]
    assert ID not in guard.problems()[0]
    pii_log_guard.records.clear()


def test_log_guard_sees_loggers_that_do_not_propagate(pii_log_guard):
    quiet = logging.getLogger("gonghui.tests.quiet")
    quiet.propagate = False
    try:
        guard = PiiLogGuard().start()
        quiet.error("手机号 %s", MOBILE)
        guard.stop()
    finally:
        quiet.propagate = True
    assert guard.problems() == ["gonghui.tests.quiet ERROR 手机号 138****5678"]


def test_log_guard_check_fails_the_test_without_repeating_the_number(pii_log_guard):
    guard = PiiLogGuard().start()
    logging.getLogger("gonghui.tests").info("查询 %s", ID)
    guard.stop()
    with pytest.raises(pytest.fail.Exception) as failure:
        guard.check()
    assert "R-PI-9" in str(failure.value) and "110105********002X" in str(failure.value)
    assert ID not in str(failure.value)
    pii_log_guard.records.clear()
    PiiLogGuard().check()  # nothing logged: passes
