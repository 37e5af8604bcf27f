"""A large, consistent catalog for benchmarks (DESIGN.md §8: 2,000 matters): ``catalog_generate``.

Every generated matter passes the rules of DOMAIN.md §2, so the benchmarks exercise the same data shapes
as production (search text, arrays, materials with keys, fee items). Deterministic for a given seed.
"""

from __future__ import annotations

import random
from decimal import Decimal

from django.db import transaction

from ..models import (
    CaseKind,
    Channel,
    Department,
    FeeItem,
    LifeEvent,
    Material,
    MaterialSource,
    Matter,
    OnlineDepth,
    Target,
)

# Matter names: a licence or certificate and what is done with it (the demo catalog has real ones).
SUBJECTS = (
    "居民身份证", "社会保障卡", "营业执照", "食品经营许可证", "机动车驾驶证", "出生医学证明", "残疾人证", "居住证",
    "建设工程规划许可证", "道路运输经营许可证", "药品经营许可证", "医师执业证书", "教师资格证", "不动产权证书",
    "排污许可证", "烟草专卖零售许可证", "公共场所卫生许可证", "人力资源服务许可证", "养老机构备案", "消防安全检查",
)  # fmt: skip
ACTIONS = ("申领", "换领", "补领", "变更登记", "注销登记", "延续", "首次办理", "信息更正", "核发", "备案")
MATERIALS = (
    ("application-form", "申请表", MaterialSource.APPLICANT, ""),
    ("id-card", "居民身份证", MaterialSource.GOVERNMENT, "公安机关"),
    ("household-register", "户口簿", MaterialSource.GOVERNMENT, "公安机关"),
    ("business-licence", "营业执照副本", MaterialSource.GOVERNMENT, "市场监督管理部门"),
    ("photo", "近期免冠照片", MaterialSource.APPLICANT, ""),
    ("power-of-attorney", "授权委托书", MaterialSource.APPLICANT, ""),
    ("premises", "场所使用证明", MaterialSource.APPLICANT, ""),
    ("legal-representative", "法定代表人身份证明", MaterialSource.APPLICANT, ""),
    ("original-licence", "原证件", MaterialSource.GOVERNMENT, "原发证机关"),
    ("statement", "情况说明", MaterialSource.APPLICANT, ""),
    ("qualification", "专业技术人员资格证明", MaterialSource.GOVERNMENT, "人力资源社会保障部门"),
    ("equipment", "设施设备清单", MaterialSource.APPLICANT, ""),
)
ALIASES = ("办证", "补办", "换证", "到期", "遗失", "新办", "变更", "注销", "年审", "延期")


def generated_code(i: int) -> str:
    return f"11011200000000000000-{i:06d}-01"


@transaction.atomic
def catalog_generate(
    *, matters: int = 2000, departments: int = 20, halls: tuple[str, ...] = (), seed: int = 2026
) -> list[Matter]:
    """Create ``matters`` consistent matters over ``departments`` departments (codes 110112-Dnn); each
    names a few of ``halls`` as receiving halls, or none (every hall). Returns the matters created."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    depts = [
        Department.objects.get_or_create(code=f"110112-D{d:02d}", defaults={"name": f"通州区第{d}委办局"})[0]
        for d in range(1, departments + 1)
    ]
    existing = set(
        Matter.objects.filter(code__in=[generated_code(i) for i in range(1, matters + 1)]).values_list(
            "code", flat=True
        )
    )
    rows = []
    for i in range(1, matters + 1):
        if generated_code(i) in existing:
            continue
        subject = SUBJECTS[i % len(SUBJECTS)]
        depth = rng.choice((1, 2, 3, 3, 4, 4))
        if depth == OnlineDepth.FULLY_ONLINE:
            trips, channels = 0, [Channel.ONLINE, Channel.MOBILE]
        elif rng.random() < 0.1:
            trips, channels = 0, [Channel.WINDOW, Channel.ONLINE, Channel.MAIL]
        else:
            trips, channels = rng.choice((1, 1, 2)), [Channel.WINDOW] + ([Channel.ONLINE] if depth >= 2 else [])
        instant = i % 4 == 0
        legal = rng.choice((5, 10, 15, 20, 30, 60))
        charged = rng.random() < 0.15
        rows.append(
            Matter(
                code=generated_code(i),
                basic_code=f"{i:06d}",
                name=f"{subject}{ACTIONS[(i // len(SUBJECTS)) % len(ACTIONS)]}（{i}）",
                department=depts[i % len(depts)],
                target=Target.ORGANISATION if i % 3 == 0 else Target.PERSON,
                case_kind=CaseKind.INSTANT if instant else CaseKind.PROMISED,
                level=4,
                legal_days=legal,
                promised_days=0 if instant else rng.randint(1, legal),
                online_depth=depth,
                trips=trips,
                trips_reason="需本人到场核验身份并提交原件" if trips else "",
                channels=channels,
                bookable=trips > 0,
                remote_ok=rng.random() < 0.2,
                receiving_halls=sorted(rng.sample(halls, min(len(halls), rng.randint(1, 3))))
                if halls and rng.random() < 0.5
                else [],
                life_events=rng.sample(LifeEvent.values, rng.randint(0, 2)),
                charged=charged,
                fee_description="工本费" if charged else "",
                result_name=subject,
                keywords=",".join([subject, *rng.sample(ALIASES, 2)]),
                description=f"办理{subject}相关业务。",
            )
        )
    created = Matter.objects.bulk_create(rows, batch_size=1000)
    Material.objects.bulk_create(
        (
            Material(matter=matter, key=key, position=p, name=name, source=source, issuer=issuer, required=p < 2)
            for matter in created
            for p, (key, name, source, issuer) in enumerate(rng.sample(MATERIALS, rng.randint(2, 4)), start=1)
        ),
        batch_size=2000,
    )
    FeeItem.objects.bulk_create(
        FeeItem(matter=matter, position=1, name="工本费", amount=Decimal(rng.choice((10, 20, 60, 80))), unit="每证")
        for matter in created
        if matter.charged
    )
    return created
