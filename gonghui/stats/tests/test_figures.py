"""Done-when: the statistics registry and the organization figures (orgs.*), with values."""

import datetime
import io
import json

import pytest
from django.core.management import call_command

from gonghui.common.actors import system_actor
from gonghui.orgs.actions import create_org, dissolve_org, update_org
from gonghui.orgs.models import Employer, Org
from gonghui.stats.registry import REGISTRY, compute, figure

YEAR = (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))


def test_registry_keys_are_prefixed_by_app():
    assert all(key.split(".")[0] in {"orgs", "members", "portal", "hall", "hardship", "mutualaid"} for key in REGISTRY)
    assert {"orgs.unions_total", "orgs.unions_new", "orgs.congress_rate", "orgs.disclosure_rate",
            "orgs.employers_100plus", "orgs.employers_100plus_unionized"} <= set(REGISTRY)


def test_registry_refuses_duplicates_and_bare_keys():
    with pytest.raises(ValueError):
        figure("orgs.unions_total", label="x", unit="个")(lambda o, s, e: 0)
    with pytest.raises(ValueError):
        figure("nodot", label="x", unit="个")


def test_union_counts_over_subtree(tree):
    figures = compute(tree["C1"], *YEAR, prefix="orgs.")
    assert figures["orgs.unions_total"] == 8
    assert figures["orgs.unions_federation"] == 5
    assert figures["orgs.unions_grassroots"] == 2
    assert figures["orgs.unions_joint"] == 1
    assert figures["orgs.grassroots_total"] == 3
    assert compute(tree["P"], *YEAR)["orgs.unions_total"] == 14
    assert compute(tree["P"], *YEAR)["orgs.unions_industrial"] == 1


def test_new_and_closed_unions_in_period(tree):
    create_org(by=system_actor(), parent=tree["T111"], code="NEW1", name="新建工会", kind=Org.Kind.GRASSROOTS,
               founded_on=datetime.date(2026, 3, 1))
    dissolve_org(tree["G1112"], by=system_actor(), on=datetime.date(2026, 4, 1), reason="单位注销")
    figures = compute(tree["K11"], *YEAR)
    assert figures["orgs.unions_new"] == 1
    assert figures["orgs.unions_closed"] == 1
    assert figures["orgs.unions_total"] == 4  # K11, T111, G1111, NEW1 (G1112 dissolved)
    assert compute(tree["K11"], datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))["orgs.unions_new"] == 0


def test_congress_and_disclosure_rates(tree):
    update_org(tree["G1111"], by=system_actor(), has_congress=True, has_disclosure=True)
    update_org(tree["G1112"], by=system_actor(), has_congress=True)
    figures = compute(tree["C1"], *YEAR)
    assert figures["orgs.congress_rate"] == pytest.approx(66.67)
    assert figures["orgs.disclosure_rate"] == pytest.approx(33.33)
    assert compute(tree["I1"], *YEAR)["orgs.congress_rate"] is None  # no grassroots: no rate


def test_employers_100plus_and_coverage(tree):
    Employer.objects.create(name="甲", uscc="913401020000000010", employee_count=150, union=tree["G1111"])
    Employer.objects.create(name="乙", uscc="913401020000000020", employee_count=300, region_code="340102")
    Employer.objects.create(name="丙", uscc="913402020000000030", employee_count=500, region_code="340202")
    Employer.objects.create(name="丁", uscc="913401020000000040", employee_count=20, region_code="340102")
    c1 = compute(tree["C1"], *YEAR)
    assert c1["orgs.employers_100plus"] == 2  # 甲 (covered) and 乙 (no union, in 3401xx)
    assert c1["orgs.employers_100plus_unionized"] == 1
    assert c1["orgs.employers_100plus_rate"] == 50.0
    assert compute(tree["P"], *YEAR)["orgs.employers_100plus"] == 3


def test_stats_command_json(tree):
    out = io.StringIO()
    call_command("stats", "--org", "C1", "--from", "2026-01-01", "--to", "2026-12-31", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["org"] == "C1" and data["from"] == "2026-01-01" and data["to"] == "2026-12-31"
    assert data["figures"]["orgs.unions_total"] == 8
    apps = ("orgs.", "members.", "portal.", "hall.", "hardship.", "mutualaid.")
    assert all(key.startswith(apps) for key in data["figures"])
    assert data["figures"]["portal.applications_received"] == 0
    assert data["figures"]["hardship.aid_amount"] == 0 and data["figures"]["hardship.on_file"] == 0
