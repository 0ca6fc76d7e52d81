"""docs/figures.md, the catalogue of figures for readers, written from the registry so that it never says
other than the code: per app a table of key, label, unit, definition, whether it adds up and a ratio's parts.
`gonghui figures-doc` writes it; `--check` (run by a test) fails when it is stale."""

from django.apps import apps

from .registry import Figure, catalogue

TITLE = "# 统计指标目录"
INTRO = [
    "本文件由 `gonghui figures-doc` 根据统计指标注册表（`gonghui/stats/registry.py` 与各应用的 `figures.py`）生成，"
    "请勿手工修改；修改指标后重新运行该命令（`gonghui figures-doc --check` 检查本文件是否与代码一致）。",
    "",
    "- **键**：`<应用>.<名称>`，API（`/api/v1/stats/figures?keys=前缀`）与 `gonghui stats --prefix` 按键前缀选取。",
    "- **可加**：是＝各下级工会之和等于上级（可设目标任务）；否＝比率、均值等，须由其组成部分计算。",
    "- **组成**：比率的分子、分母，它们本身也是指标。",
    "- 金额以万元计（两位小数，四舍五入）；统计范围为该组织及其全部下级工会，统计期间含起止两日。",
]


def _cell(text: str) -> str:
    """A table cell: one line, its pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|") or "—"


def _row(fig: Figure) -> str:
    parts = "、".join(f"`{p}`" for p in fig.parts)
    return (f"| `{fig.key}` | {_cell(fig.label)} | {_cell(fig.unit)} | {_cell(fig.definition)} | "
            f"{'是' if fig.additive else '否'} | {parts or '—'} |")


def _app_title(label: str) -> str:
    return apps.get_app_config(label).verbose_name if label in apps.app_configs else label


def render() -> str:
    """The whole document, from the registry as it stands: the apps in INSTALLED_APPS order (the layers, lowest
    first), each app's figures by key."""
    order = {config.label: i for i, config in enumerate(apps.get_app_configs())}
    by_app: dict[str, list[Figure]] = {}
    for fig in sorted(catalogue(), key=lambda f: (order.get(f.app, len(order)), f.key)):
        by_app.setdefault(fig.app, []).append(fig)
    lines = [TITLE, "", *INTRO, "", f"共 {sum(len(f) for f in by_app.values())} 项指标。", ""]
    for label, figures in by_app.items():
        lines += [f"## {_app_title(label)}（`{label}.`，{len(figures)} 项）", "",
                  "| 键 | 名称 | 单位 | 口径 | 可加 | 组成 |", "|---|---|---|---|---|---|",
                  *(_row(fig) for fig in figures), ""]
    return "\n".join(lines)
