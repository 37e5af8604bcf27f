"""The demo's library: the offices' keys, and one certificate central issued earlier to the front's demo
citizen 张伟 (无犯罪记录证明, the result of matter 000109), which the checklist of 网约车驾驶员证核发 then marks
as not needed once he lets the platform fetch it."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from apps.shared.catalog.models import Matter
from apps.shared.exchange.models import Peer
from govservice.lib.codes import human_code
from govservice.lib.pdf import qr_data_uri, render_pdf

from .models import Licence
from .services import licence_record_issued, office_key_ensure, office_keys_seed, pdf_seal

DEMO_MATTER = "11011201000000000000-000109-01"  # 开具无犯罪记录证明
DEMO_HOLDER = {"name": "张伟", "id_number": "110112198503120411"}
DEMO_NUMBER = "DEMO-2026-000109-0001"


def licences_seed_demo(*, platform: Peer) -> int:
    """Office keys and the demo certificate; returns how many rows were made."""
    made = office_keys_seed()
    if Licence.objects.filter(number=DEMO_NUMBER).exists():
        return made
    matter = Matter.objects.select_related("department").get(code=DEMO_MATTER, is_current=True)
    office = office_key_ensure(office=matter.department.code, name=matter.department.name)
    today = timezone.localdate()
    valid_until = today + dt.timedelta(days=180)
    code = human_code(12)
    row = {"title": matter.result_name, "holder_name": DEMO_HOLDER["name"], "issuer": office.name}
    pdf = render_pdf(
        "documents/licence.html",
        {
            "row": row,
            "number": DEMO_NUMBER,
            "issued_on": today,
            "valid_until": valid_until,
            "code": code,
            "qr": qr_data_uri(code),
            "library": office.name,
        },
    )
    licence_record_issued(
        number=DEMO_NUMBER,
        verification_code=code,
        title=matter.result_name,
        holder_name=DEMO_HOLDER["name"],
        holder_id_number=DEMO_HOLDER["id_number"],
        office=office,
        issued_on=today,
        valid_until=valid_until,
        platform=platform,
        case_number="",
        pdf=pdf_seal(pdf, office=office),
    )
    return made + 1
