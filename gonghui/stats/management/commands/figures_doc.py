"""gonghui figures-doc [--check] [--out FILE]: write docs/figures.md from the figure registry, or (--check) exit
with status 1 when the file differs from what the registry gives."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gonghui.stats.figures_doc import render

DEFAULT = Path(settings.BASE_DIR) / "docs" / "figures.md"


class Command(BaseCommand):
    help = "根据统计指标注册表生成 docs/figures.md；--check 只检查该文件是否与代码一致（不一致时退出码为 1）。"

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="只检查，不写入")
        parser.add_argument("--out", type=Path, default=DEFAULT, help=f"输出文件（默认 {DEFAULT}）")

    def handle(self, *args, check: bool, out: Path, **options):
        text = render()
        if check:
            current = out.read_text(encoding="utf-8") if out.is_file() else None
            if current != text:
                raise CommandError(f"{out} 与统计指标注册表不一致，请运行 gonghui figures-doc 重新生成。", returncode=1)
            self.stdout.write(f"{out} 与统计指标注册表一致。")
            return
        out.write_text(text, encoding="utf-8")
        self.stdout.write(f"已写入 {out}。")
