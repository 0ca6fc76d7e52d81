"""Mutual-aid fixtures: a medical plan of the province whose period spans today, and helpers that enrol
and claim through the actions."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from gonghui.members.tests.conftest import member_factory  # noqa: F401 (fixture)
from gonghui.mutualaid.models import Plan

TODAY = timezone.localdate()


def make_plan(org, **overrides) -> Plan:
    values = {"name": "职工住院医疗互助", "kind": Plan.Kind.MEDICAL, "org": org,
              "period_start": TODAY - datetime.timedelta(days=200), "period_end": TODAY + datetime.timedelta(days=165),
              "premium": Decimal("60.00"), "deductible": Decimal("1000.00"), "ratio": Decimal("0.5"),
              "per_claim_cap": Decimal("5000.00"), "yearly_cap": Decimal("8000.00"), "claim_days": 30} | overrides
    return Plan.objects.create(**values)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded lists' error workbooks are written under MEDIA_ROOT: a temporary one per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def plan(tree):
    return make_plan(tree["P"])
