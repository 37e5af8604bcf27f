from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .services import inbox_receive


@csrf_exempt  # machine-to-machine: authenticated by the HMAC signature, not a session
@require_POST
def receive(request):
    # request.headers is case-insensitive, as HTTP header names are. The body is read only once the signature
    # headers hold (its size is bounded before that by BodySizeLimitMiddleware).
    result = inbox_receive(headers=request.headers, method=request.method, path=request.path, body=lambda: request.body)
    return JsonResponse(result.data, status=result.status_code, json_dumps_params={"ensure_ascii": False})
