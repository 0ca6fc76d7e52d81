"""Member fixtures: valid document numbers and a helper that enters members through the actions."""

import datetime

import pytest

from gonghui.common import idcard
from gonghui.common.actors import system_actor
from gonghui.members import facts as member_facts
from gonghui.members.actions import join_member


def make_id(region: str = "340102", birth: str = "19900101", seq: int = 123) -> str:
    """A valid 18-character resident ID number (seq's parity sets the gender: odd male)."""
    body = f"{region}{birth}{seq:03d}"
    return body + idcard.check_char(body)


def make_facts(**raw) -> member_facts.Facts:
    values = {"name": "张三", "id_number": make_id(), "join_date": "2020-05-01"} | raw
    facts, problems = member_facts.clean(values, today=datetime.date(2026, 11, 20))
    assert not problems, problems
    return facts


@pytest.fixture
def member_factory(tree):
    """member_factory(org_code="G1111", **raw facts) -> a member entered by the actions (no actor)."""
    counter = iter(range(100, 999))

    def make(org_code: str = "G1111", **raw):
        raw.setdefault("id_number", make_id(seq=next(counter)))
        return join_member(org=tree[org_code], facts=make_facts(**raw), by=system_actor())
    return make
