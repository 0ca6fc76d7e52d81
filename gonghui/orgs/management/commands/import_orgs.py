import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gonghui.common.actors import system_actor
from gonghui.common.imports import MODES, VALID_ONLY
from gonghui.orgs.importing import ImportFileError, import_file


class Command(BaseCommand):
    help = ("从 .xlsx 或 .csv 文件导入工会组织：按组织代码新增或更新，上级组织可在下级之后出现；"
            "有问题的行不导入并列出原因。命令行导入可以新建顶级组织（上级组织代码留空）。")

    def add_arguments(self, parser):
        parser.add_argument("file", help="导入文件（.xlsx 或 .csv，第一行为中文列名）")
        parser.add_argument("--json", action="store_true", help="以一个 JSON 对象输出结果")
        parser.add_argument("--mode", choices=list(MODES), default=VALID_ONLY,
                            help="valid-only：只导入正确的行（默认）；all-or-nothing：有任何错误则整个文件都不导入")

    def handle(self, *args, file, mode, **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise CommandError(f"文件 {file} 不存在。") from None
        except OSError:
            raise CommandError(f"无法读取文件 {file}，请检查路径和读取权限。") from None
        try:
            result = import_file(data, path.name, by=system_actor(), mode=mode)
        except ImportFileError as e:
            raise CommandError(str(e)) from None
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
            return
        self.stdout.write(f"共 {result.rows} 行：新增 {result.imported} 个组织，更新 {result.updated} 个，"
                          f"未导入 {result.rejected} 行。")
        for e in result.errors:
            self.stdout.write(f"第{e.row}行【{e.column}】{e.message}")

