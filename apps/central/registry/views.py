import json
from typing import Any

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from apps.shared.accounts.conf import accounts_conf
from apps.shared.exchange.models import Peer
from apps.shared.exchange.questions import answer, question_peer

from .services import registry_verify, registry_verify_company


def _signed_question(request, fields: tuple[str, ...]) -> tuple[Peer, dict[str, str]] | JsonResponse:
    """The asking platform and the question's fields as strings, or the refusal to answer. The headers are
    checked, and the size, before the body is read; every question states why it is asked (DESIGN.md §10)."""
    peer = question_peer(request, max_body=accounts_conf.REGISTRY_MAX_BODY)
    if isinstance(peer, JsonResponse):
        return peer
    try:
        question: Any = json.loads(request.body)
        values = {name: str(question[name]) for name in fields}
        values["reference"] = str(question.get("reference", ""))
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return answer({"code": "invalid", "detail": _("报文格式错误。")}, 400)
    values["purpose"] = values["purpose"].strip()
    if not values["purpose"]:
        return answer({"code": "purpose_required", "detail": _("须说明核验用途。")}, 400)
    return peer, values


@csrf_exempt  # machine-to-machine: authenticated by the HMAC signature, not a session
@require_POST
def verify(request):
    """POST {"name", "id_number", "purpose", "reference"} signed by a platform's key: {"match": bool}.
    The record never leaves."""
    asked = _signed_question(request, ("name", "id_number", "purpose"))
    if isinstance(asked, JsonResponse):
        return asked
    peer, q = asked
    return answer({"match": registry_verify(peer=peer, **q)})


@csrf_exempt  # machine-to-machine: authenticated by the HMAC signature, not a session
@require_POST
def verify_company(request):
    """POST {"credit_code", "name", "representative_name", "representative_id_number", "purpose",
    "reference"} signed by a platform's key: {"match": bool} — the legal person exists under this code and
    name, and this person is its legal representative. Nothing of the register leaves."""
    asked = _signed_question(
        request, ("credit_code", "name", "representative_name", "representative_id_number", "purpose")
    )
    if isinstance(asked, JsonResponse):
        return asked
    peer, q = asked
    return answer({"match": registry_verify_company(peer=peer, **q)})
