"""Issue 13 part 1 ("docs/figures.md is generated from the registry"): `gonghui figures-doc` writes the catalogue
of figures per app; `--check` fails on a stale file, and the committed docs/figures.md passes it."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gonghui.stats.registry import REGISTRY, Figure


def test_committed_doc_matches_the_registry():
    """docs/figures.md is what the registry gives today (run `gonghui figures-doc` after changing a figure)."""
    call_command("figures_doc", "--check")


def test_doc_has_a_row_per_figure_by_app(tmp_path, monkeypatch):
    """Every figure is a row of its app's table with its label, unit, definition, additivity and a ratio's
    parts (a ratio registered for the test; a pipe in a definition does not break the table)."""
    monkeypatch.setitem(REGISTRY, "orgs.zz_ratio", Figure(
        "orgs.zz_ratio", "测试比率", "%", lambda o, s, e: None, definition="甲 | 乙之比", additive=False, parts=(
            "orgs.unions_total", "orgs.unions_new")))
    out = tmp_path / "figures.md"
    call_command("figures_doc", "--out", str(out))
    text = out.read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert len(rows) == len(REGISTRY)
    assert "## 工会组织（`orgs.`" in text and "## 困难帮扶（`hardship.`" in text
    fig = REGISTRY["hardship.aid_amount"]
    assert f"| `hardship.aid_amount` | {fig.label} | 万元 |" in text
    assert "| `orgs.zz_ratio` | 测试比率 | % | 甲 \\| 乙之比 | 否 | `orgs.unions_total`、`orgs.unions_new` |" in rows
    assert text.index("## 工会组织") < text.index("## 会员") < text.index("## 困难帮扶")


def test_check_fails_on_a_stale_file(tmp_path):
    out = tmp_path / "figures.md"
    call_command("figures_doc", "--out", str(out))
    out.write_text(out.read_text(encoding="utf-8").replace("万元", "元"), encoding="utf-8")
    with pytest.raises(CommandError, match="不一致") as raised:
        call_command("figures_doc", "--check", "--out", str(out))
    assert raised.value.returncode == 1
    with pytest.raises(CommandError):
        call_command("figures_doc", "--check", "--out", str(tmp_path / "missing.md"))
