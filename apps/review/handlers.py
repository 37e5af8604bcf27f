"""Messages from client platforms: a case package arrives at central exactly once."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.utils.dateparse import parse_date, parse_datetime

from apps.catalog.models import Matter
from apps.exchange import registry
from apps.exchange.models import Peer
from apps.exchange.services import outbox_enqueue
from govservice.lib.filetypes import EXTENSIONS

from .models import ReviewCase, ReviewEvent, ReviewMaterial, ReviewStatus


@registry.handles("case.submitted")
def case_submitted(peer: Peer, message_id: str, payload: dict[str, Any], files: list[registry.IncomingFile]) -> dict[str, Any]:
    existing = ReviewCase.objects.filter(platform=peer, front_number=payload["number"]).first()
    if existing is not None:
        # Same case under a new message id (an operator's re-send): still one case.
        return {"central_id": existing.id, "number": existing.front_number}
    matter = Matter.objects.filter(code=payload["matter_code"], version=payload["matter_version"]).select_related("department").first()
    if matter is None:
        raise registry.Rejected(f"审批总后台无此事项版本 {payload['matter_code']} v{payload['matter_version']}。")
    applicant = payload["applicant"]
    case = ReviewCase.objects.create(
        platform=peer,
        front_number=payload["number"],
        matter=matter,
        department=matter.department,
        hall_name=payload.get("hall", ""),
        applicant_name=applicant["name"],
        applicant_id_number=applicant["id_number"],
        accepted_at=parse_datetime(payload["accepted_at"]),
        promised_date=parse_date(payload["promised_date"]) if payload.get("promised_date") else None,
    )
    for f in files:
        material = ReviewMaterial(case=case, name=f.name, content_type=f.content_type, size=len(f.content), sha256=f.sha256)
        material.file.save(f"{case.front_number}-{f.sha256[:12]}{EXTENSIONS.get(f.content_type, '')}", ContentFile(f.content), save=False)
        material.save()
    ReviewEvent.objects.create(case=case, to_status=ReviewStatus.IN_REVIEW, note=f"收到 {peer.name} 报送")
    outbox_enqueue(peer=peer, kind="case.review_started", payload={"number": case.front_number})
    return {"central_id": case.id, "number": case.front_number}
