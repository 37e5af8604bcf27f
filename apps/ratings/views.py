from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from govservice.api import DomainError

from .services import evaluation_submit


@login_required
@require_POST
def evaluate(request, number):
    score = request.POST.get("score", "")
    if not score.isdigit():
        messages.error(request, "请选择评价等级。 Please choose a rating.")
        return redirect("case", number=number)
    try:
        evaluation_submit(
            citizen=request.user, case_number=number, score=int(score), comment=request.POST.get("comment", "")
        )
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, "感谢您的评价！")
    return redirect("case", number=number)
