import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gonghui.common.actors import system_actor
from gonghui.members import importing
from gonghui.orgs.models import Org


class Command(BaseCommand):
    help = ("从 Excel（.xlsx）文件批量导入会员到指定工会：表头为中文列名（姓名、身份证号必填），"
            "有问题的行不导入并列出原因（行号与 Excel 中一致）。")

    def add_arguments(self, parser):
        parser.add_argument("file", help="导入文件（.xlsx，第一个工作表；表头可在标题行之下）")
        parser.add_argument("--org", required=True, metavar="CODE", help="导入到的工会（组织代码）")
        parser.add_argument("--json", action="store_true", help="以一个 JSON 对象输出结果")
        parser.add_argument("--errors", metavar="OUT.xlsx", help="把未导入的行写入该错误文件（含“错误说明”列）")
        parser.add_argument("--mode", choices=list(importing.MODES), default=importing.VALID_ONLY,
                            help="valid-only：只导入正确的行（默认）；all-or-nothing：有任何错误则整个文件都不导入")
        parser.add_argument("--batch-rows", type=int, default=importing.BATCH_ROWS, metavar="N",
                            help=f"每批提交的行数（默认 {importing.BATCH_ROWS}）")

    def handle(self, *args, file, org, mode, batch_rows, errors=None, **options):
        path = Path(file)
        if batch_rows < 1:
            raise CommandError("--batch-rows 应为正整数。")
        if not path.is_file():
            raise CommandError(f"文件 {file} 不存在。")
        target = Org.objects.filter(code=org).first()
        if target is None:
            raise CommandError(f"组织代码 {org} 不存在。")

        def report(counts: dict) -> None:
            # Progress on stderr (stdout stays one JSON object): after an interruption, the last
            # line says which batches were committed.
            self.stderr.write(f"已提交第 {counts['batch']} 批：已处理 {counts['rows']} 行，"
                              f"累计导入 {counts['imported']} 名，未导入 {counts['rejected']} 行。")

        try:
            result = importing.import_members(path, org=target, by=system_actor(), mode=mode, filename=path.name,
                                              batch_rows=batch_rows,
                                              report=report if options["verbosity"] >= 1 else None)
        except importing.ImportFileError as e:
            raise CommandError(str(e)) from None
        try:
            if errors and result.rejected:
                Path(errors).write_bytes(result.error_workbook())
        finally:
            result.close()
        if options["json"]:
            data = result.as_dict()
            self.stdout.write(json.dumps({"rows": result.rows, "imported": result.imported, "rejected": result.rejected,
                                          "seconds": result.seconds, "errors": data["errors"]}, ensure_ascii=False))
            return
        self.stdout.write(f"共 {result.rows} 行：导入 {result.imported} 名会员，未导入 {result.rejected} 行，"
                          f"用时 {result.seconds} 秒。")
        if mode == importing.ALL_OR_NOTHING and result.rejected:
            self.stdout.write("导入方式为“全部正确才导入”：文件中有错误，本次没有导入任何会员。")
        for e in result.errors:
            self.stdout.write(f"第{e.row}行【{e.column}】{e.message}")
        if errors and result.rejected:
            self.stdout.write(f"错误文件已写入 {errors}。")
