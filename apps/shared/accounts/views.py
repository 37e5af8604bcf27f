from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from apps.shared.privacy.consents import current_text
from apps.shared.privacy.models import ConsentPurpose
from govservice.api import DomainError, status_for
from govservice.lib.ratelimit import hit_many
from govservice.throttling import client_ip

from . import otp
from .forms import CodeForm, PasswordResetConfirmForm, PasswordResetForm, RegisterForm, TakeoverForm
from .models import ChallengePurpose, PhoneChallenge, Role
from .services import (
    account_verification_start,
    citizen_register,
    citizen_register_confirm,
    password_reset_confirm,
    password_reset_start,
)
from .takeover import WINDOW_ROLES, account_takeover, takeover_lookup

REGISTRATION_KEY = "registration"
RESET_KEY = "password_reset"


def _throttled(request) -> int:
    """The page counts on the API's per-address counter (RegisterThrottle, scope "register"): one limit
    however a caller comes. Returns seconds to wait, 0 when allowed."""
    _per_user, per_ip, window = settings.RATE_LIMITS["register"]
    allowed, retry_after = hit_many([("register:ip", client_ip(request), per_ip)], window_seconds=window)
    return 0 if allowed else retry_after


def _too_many(request, template: str, context: dict, wait: int):
    context["form"].add_error(None, _("操作过于频繁，请%(seconds)s秒后再试。") % {"seconds": wait})
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(wait)
    return response


@require_http_methods(["GET", "POST"])
def register(request):
    # Bound on every POST, an empty one too (``request.POST or None`` left it unbound: no "required" answer, and
    # a refusal for too many requests could not be added to it, a 500).
    form = RegisterForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        wait = _throttled(request)
        if wait:
            return _too_many(request, "accounts/register.html", {"form": form}, wait)
        if form.is_valid():
            try:
                challenge = citizen_register(**form.cleaned_data, address=client_ip(request))
            except DomainError as exc:
                form.add_error(None, str(exc.detail))
            else:
                request.session[REGISTRATION_KEY] = str(challenge.id)
                return redirect("register_verify")
    return render(request, "accounts/register.html", {"form": form}, status=400 if form.errors else 200)


def _pending(request, key: str, purpose: str) -> PhoneChallenge | None:
    challenge_id = request.session.get(key)
    if not challenge_id:
        return None
    return (
        PhoneChallenge.objects.select_related("user")
        .filter(id=challenge_id, purpose=purpose, used_at__isnull=True)
        .first()
    )


@require_http_methods(["GET", "POST"])
def register_verify(request):
    """Step 2: the SMS code (or a new one after the cool-down)."""
    challenge = _pending(request, REGISTRATION_KEY, ChallengePurpose.REGISTER)
    if challenge is None:
        return redirect("register")
    form = CodeForm(request.POST if request.method == "POST" and "resend" not in request.POST else None)
    status = 200
    if request.method == "POST" and "resend" in request.POST:
        try:
            otp.challenge_resend(
                challenge_id=str(challenge.id), purpose=ChallengePurpose.REGISTER, requester_address=client_ip(request)
            )
        except DomainError as exc:
            form.add_error(None, str(exc.detail))
            status = status_for(exc)
        else:
            messages.info(request, _("验证码已重新发送。"))
            return redirect("register_verify")
    elif request.method == "POST" and form.is_valid():
        try:
            user = citizen_register_confirm(registration=str(challenge.id), code=form.cleaned_data["code"])
        except DomainError as exc:
            form.add_error(None, str(exc.detail))
            status = status_for(exc)
        else:
            request.session.pop(REGISTRATION_KEY, None)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("注册成功，已通过实名核验，欢迎使用云窗口。"))
            return redirect("home")
    elif form.errors:
        status = 400
    masked = challenge.user.masked_phone if challenge.user else ""
    return render(request, "accounts/register_verify.html", {"form": form, "masked_phone": masked}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def account_verify(request):
    """A signed-in citizen account that is not verified (registered before verification existed): GET
    explains, POST texts a code to its phone and continues at the registration's code step."""
    user = request.user
    if user.role != Role.CITIZEN or user.is_real_name_verified:
        return redirect("home")
    error = ""
    if request.method == "POST":
        try:
            challenge = account_verification_start(
                user=user, address=client_ip(request), consent=request.POST.get("consent") == "1"
            )
        except DomainError as exc:
            error = str(exc.detail)
        else:
            request.session[REGISTRATION_KEY] = str(challenge.id)
            return redirect("register_verify")
    context = {
        "masked_phone": user.masked_phone,
        "error": error,
        "consent_text": current_text(ConsentPurpose.REGISTRY_CHECK).text,
    }
    return render(request, "accounts/verify.html", context, status=400 if error else 200)


@require_http_methods(["GET", "POST"])
def password_reset(request):
    # Bound on every POST, an empty one too (``request.POST or None`` left it unbound: no "required" answer, and
    # a refusal for too many requests could not be added to it, a 500).
    form = PasswordResetForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        wait = _throttled(request)
        if wait:
            return _too_many(request, "accounts/password_reset.html", {"form": form}, wait)
        if form.is_valid():
            try:
                challenge = password_reset_start(**form.cleaned_data, address=client_ip(request))
            except DomainError as exc:
                form.add_error(None, str(exc.detail))
            else:
                request.session[RESET_KEY] = str(challenge.id)
                messages.info(request, _("如信息无误，验证码已发送至您的手机。"))
                return redirect("password_reset_confirm")
    return render(request, "accounts/password_reset.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def password_reset_confirm_view(request):
    challenge_id = request.session.get(RESET_KEY)
    if not challenge_id:
        return redirect("password_reset")
    form = PasswordResetConfirmForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            password_reset_confirm(
                challenge_id=challenge_id,
                code=form.cleaned_data["code"],
                new_password=form.cleaned_data["new_password"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc.detail))
            status = status_for(exc)
        else:
            request.session.pop(RESET_KEY, None)
            messages.success(request, _("密码已重置，请用新密码登录。"))
            return redirect("accounts:login")
    elif form.errors:
        status = 400
    return render(request, "accounts/password_reset_confirm.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def identity_takeover(request):
    """The hall window: a person with their ID card takes back the number someone else registered."""
    if request.user.role not in WINDOW_ROLES:
        raise PermissionDenied
    form = TakeoverForm(request.POST or None)
    found = None
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.person()
        try:
            if form.cleaned_data["action"] == "confirm":
                record = account_takeover(clerk=request.user, **data)
                messages.success(
                    request, _("已完成实名核验，账户 %(username)s 已启用。") % {"username": record.new_account.username}
                )
                return redirect("identity_takeover")
            found = takeover_lookup(clerk=request.user, **data)
        except DomainError as exc:
            form.add_error(None, str(exc.detail))
            status = status_for(exc)
    elif form.errors:
        status = 400
    return render(request, "accounts/takeover.html", {"form": form, "found": found}, status=status)
