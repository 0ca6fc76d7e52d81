"""Issue 13 part 2, "make the page fast": the dashboard asks compute() once per (union, period) it shows and only
for the figures it shows — the period, last year's, each month of the trend, each child, and the targets."""

import datetime

import pytest
from django.urls import reverse

from gonghui.common.actors import system_actor
from gonghui.stats import queries, targets
from gonghui.stats.actions import set_target
from gonghui.stats.panels import panels

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls(monkeypatch):
    """Every compute() the page makes, as (org code, start, end, keys); each still computes (a spy, not a stub)."""
    made = []

    def spy(real):
        def compute(org, start, end, *, keys):
            made.append((org.code, start, end, tuple(keys)))
            return real(org, start, end, keys=keys)
        return compute

    monkeypatch.setattr(queries, "compute", spy(queries.compute))
    monkeypatch.setattr(targets, "compute", spy(targets.compute))
    return made


def test_one_compute_per_union_and_period_of_the_figures_shown(tree, cadre_client, calls):
    set_target(org=tree["C1"], year=2026, key="members.joined", value=10, by=system_actor())
    set_target(org=tree["K12"], year=2026, key="orgs.unions_new", value=1, by=system_actor())
    client = cadre_client(tree["C1"], "operator")
    response = client.get(reverse("stats:dashboard") + "?period=custom&from=2026-01-01&to=2026-04-30")
    assert response.status_code == 200
    h1, last = (datetime.date(2026, 1, 1), datetime.date(2026, 4, 30)), (datetime.date(2025, 1, 1),
                                                                          datetime.date(2025, 4, 30))
    key = [k for p in panels() for k in p.keys]
    trend = list(dict.fromkeys(f.key for p in panels() for f in p.figures(p.trend)))
    assert [(c[0], c[1], c[2]) for c in calls] == [
        ("C1", *h1), ("C1", *last),
        *(("C1", datetime.date(2026, m, 1), end) for m, end in
          ((1, datetime.date(2026, 1, 31)), (2, datetime.date(2026, 2, 28)), (3, datetime.date(2026, 3, 31)),
           (4, datetime.date(2026, 4, 30)))),
        ("K11", *h1), ("K12", *h1),  # 各下级对比
        ("K12", *h1),  # the child with a target: its progress over the year to 30 April
        ("C1", *h1),  # the union's own targets
    ]
    assert calls[1][3] == tuple(key) and all(c[3] == tuple(trend) for c in calls[2:6])
    assert calls[6][3] == calls[7][3] == tuple(key)
    assert calls[8][3] == ("orgs.unions_new",) and calls[9][3] == ("members.joined",)
