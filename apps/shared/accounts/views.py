from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from govservice.api import DomainError

from .forms import RegisterForm
from .services import citizen_register


def register(request):
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = citizen_register(**form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, str(exc.detail))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("注册成功，欢迎使用云窗口。"))
            return redirect("home")
    return render(request, "accounts/register.html", {"form": form}, status=400 if form.errors else 200)
