"""manage.py catalog_import FILE [--format json|csv]: all or nothing, every bad line reported."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from apps.shared.catalog.services import ImportRefused, catalog_import


class Command(BaseCommand):
    help = "导入事项目录（JSON 或 CSV）：有一行错误则全部不导入，并列出每一行错误。"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--format", choices=["json", "csv"], help="默认按扩展名判断")
        parser.add_argument("--note", default="", help="变更说明（写入新版本）")

    def handle(self, *args, file, format, note, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("没有这个文件：%(path)s") % {"path": path})
        fmt = format or ("csv" if path.suffix.lower() == ".csv" else "json")
        try:
            report = catalog_import(path.read_bytes(), fmt=fmt, change_note=note)
        except ImportRefused as refused:
            for error in refused.errors:
                self.stderr.write(error)
            raise CommandError(_("%(count)s 处错误，未导入任何内容。") % {"count": len(refused.errors)}) from None
        self.stdout.write(report.summary())
