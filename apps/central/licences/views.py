"""The library's signed endpoints (DESIGN.md §10): the platforms ask, the library answers and records."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from apps.shared.exchange import contract
from apps.shared.exchange.questions import answer, question_receive
from govservice.api import status_for

from .conf import licences_conf
from .services import Refused, licences_answer, licences_status


@csrf_exempt  # machine-to-machine: authenticated by the HMAC signature, not a session
@require_POST
def query(request):
    """POST a ``contract.LicenceQuestion`` signed by a platform's key: a ``contract.LicenceAnswer`` with the
    holder's valid licences for the material keys the case's matter needs; refused (403, recorded) without
    the citizen's consent or for a licence the matter does not need."""
    asked = question_receive(request, contract.LicenceQuestion, max_body=licences_conf.LICENCES_MAX_BODY)
    if isinstance(asked, JsonResponse):
        return asked
    peer, question = asked
    try:
        given = licences_answer(peer=peer, question=question)
    except Refused as exc:
        return answer({"code": exc.code, "detail": exc.detail}, status_for(exc))
    return answer(given.model_dump(mode="json"))


@csrf_exempt  # machine-to-machine: authenticated by the HMAC signature, not a session
@require_POST
def status(request):
    """POST a ``contract.LicenceStatusQuestion``: each number's state (valid, revoked, expired, unknown) and,
    by verification code, what the public may know of the licence."""
    asked = question_receive(request, contract.LicenceStatusQuestion, max_body=licences_conf.LICENCES_MAX_BODY)
    if isinstance(asked, JsonResponse):
        return asked
    _peer, question = asked
    if not question.numbers and not question.codes:
        return answer({"code": "invalid", "detail": _("报文格式错误：numbers, codes。")}, 400)
    return answer(licences_status(question).model_dump(mode="json"))
