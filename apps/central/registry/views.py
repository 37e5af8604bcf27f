import json

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from apps.shared.accounts.conf import accounts_conf
from apps.shared.exchange.questions import asking_peer
from govservice.lib import signing

from .services import registry_verify


def _answer(data: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


@csrf_exempt  # machine-to-machine: authenticated by the HMAC signature, not a session
@require_POST
def verify(request):
    """POST {"name", "id_number", "purpose", "reference"} signed by a platform's key: {"match": bool}.
    The headers are checked, and the size, before the body is read; the record never leaves."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = -1
    if length < 0 or length > accounts_conf.REGISTRY_MAX_BODY:
        return _answer({"code": "too_large", "detail": _("请求过大。")}, 413)
    if not all(request.headers.get(h) for h in (signing.KEY_ID, signing.TIMESTAMP, signing.MESSAGE_ID, signing.SIGNATURE)):
        return _answer({"code": "signature_missing", "detail": _("请求缺少签名信息。")}, 401)
    try:
        peer = asking_peer(headers=request.headers, method=request.method, path=request.path, body=request.body)
    except signing.SignatureError as exc:
        return _answer({"code": exc.code, "detail": exc.detail}, 401)
    try:
        question = json.loads(request.body)
        name, id_number, purpose = str(question["name"]), str(question["id_number"]), str(question["purpose"]).strip()
        reference = str(question.get("reference", ""))
    except (ValueError, KeyError, TypeError):
        return _answer({"code": "invalid", "detail": _("报文格式错误。")}, 400)
    if not purpose:
        # DESIGN.md §10: every question states why it is asked.
        return _answer({"code": "purpose_required", "detail": _("须说明核验用途。")}, 400)
    return _answer({"match": registry_verify(peer=peer, name=name, id_number=id_number, purpose=purpose, reference=reference)})
