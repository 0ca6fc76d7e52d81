"""Portal fixtures: workers signed up through the code actions, and application facts."""

import re

import pytest

from gonghui.members.tests.conftest import make_id, member_factory  # noqa: F401 (fixture)
from gonghui.portal import actions

MOBILE = "13812345678"


def last_code(outbox) -> str:
    return re.search(r"验证码是(\d{6})", outbox[-1]["text"]).group(1)


def sign_up(outbox, number: str = MOBILE, ip: str = "10.0.0.1"):
    """A worker account made the way a phone makes it: request a code, sign in with it."""
    actions.request_code(mobile_number=number, ip=ip)
    return actions.sign_in_with_code(mobile_number=number, code=last_code(outbox), ip=ip).worker


def raw_facts(**overrides) -> dict:
    return {"name": "李四", "id_number": make_id(seq=501), "mobile": MOBILE, "ethnicity": "汉族",
            "education": "本科", "worker_group": "courier"} | overrides


@pytest.fixture
def worker(tree, sms_outbox):
    return sign_up(sms_outbox)
