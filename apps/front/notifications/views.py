from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from govservice.api import DomainError, status_for

from .forms import PreferenceForm
from .models import Language, Notification
from .services import preference_for, preference_update


def _mask_email(address: str) -> str:
    local, _sep, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else ""


@login_required
def preferences(request):
    """我的 → 消息通知: which channels the person wants (the inbox is always on), in which language,
    and what became of the latest messages."""
    user = request.user
    status = 200
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if not form.is_valid():
            # The page again with what was wrong, shown with its messages.
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            status = 400
        else:
            try:
                preference_update(user=user, **form.cleaned_data)
            except DomainError as exc:
                messages.error(request, str(exc.detail))
                status = status_for(exc)
            else:
                messages.success(request, _("通知设置已保存。"))
                return redirect("notification_preferences")
    recent = Notification.objects.filter(recipient=user).order_by("-created_at", "channel")[:30]
    return render(
        request,
        "notifications/preferences.html",
        {
            "preference": preference_for(user),
            "languages": Language.choices,
            "masked_phone": user.masked_phone,
            "masked_email": _mask_email(user.email),
            "recent": recent,
            "now": timezone.now(),
        },
        status=status,
    )
