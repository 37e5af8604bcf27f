"""manage.py catalog_generate [--matters 2000]: a large consistent catalog for benchmarks."""

from django.core.management.base import BaseCommand

from apps.shared.catalog.services import catalog_generate


class Command(BaseCommand):
    help = "生成用于基准测试的事项目录（默认 2000 个事项，均符合目录一致性规则）。"

    def add_arguments(self, parser):
        parser.add_argument("--matters", type=int, default=2000)
        parser.add_argument("--departments", type=int, default=20)
        parser.add_argument("--halls", default="", help="可收件大厅编码，用逗号分隔")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, matters, departments, halls, seed, **options):
        codes = tuple(code.strip() for code in halls.split(",") if code.strip())
        created = catalog_generate(matters=matters, departments=departments, halls=codes, seed=seed)
        self.stdout.write(f"已生成 {len(created)} 个事项")
