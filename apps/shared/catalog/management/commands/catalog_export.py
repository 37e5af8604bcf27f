"""manage.py catalog_export FILE [--format json|csv]: the current version of every matter."""

from pathlib import Path

from django.core.management.base import BaseCommand

from apps.shared.catalog.services import catalog_export, matters_for_export


class Command(BaseCommand):
    help = "导出全部现行事项（JSON 或 CSV），可再导入。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="输出文件；- 表示标准输出")
        parser.add_argument("--format", choices=["json", "csv"], help="默认按扩展名判断")

    def handle(self, *args, file, format, **options):
        fmt = format or ("csv" if file.lower().endswith(".csv") else "json")
        text = catalog_export(matters_for_export(), fmt=fmt)
        if file == "-":
            self.stdout.write(text, ending="")
            return
        Path(file).write_text(text, encoding="utf-8")
        self.stdout.write(f"已导出到 {file}")
