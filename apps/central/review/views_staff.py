"""Central's staff posts on a page (issue 13): which department each approver works for, and who is a central
supervisor — for central supervisors and administrators, outside the Django admin."""

from __future__ import annotations

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.shared.accounts.models import Role, User
from apps.shared.catalog.models import Department
from govservice.api import DomainError, status_for
from govservice.roles import role_required

from . import services
from .services.posts import CENTRAL_STAFF

POSTERS = (Role.CENTRAL_SUPERVISOR, Role.ADMIN)


class PostForm(forms.Form):
    action = forms.ChoiceField(choices=[("set", "set"), ("end", "end")])
    user = forms.IntegerField(error_messages=dict.fromkeys(("required", "invalid"), gettext_lazy("请选择人员。")))
    department = forms.CharField(required=False)
    role = forms.ChoiceField(
        required=False,
        choices=[("", ""), (Role.APPROVER, Role.APPROVER), (Role.CENTRAL_SUPERVISOR, Role.CENTRAL_SUPERVISOR)],
    )

    def clean(self):
        data = super().clean()
        if data.get("action") == "set" and not (data.get("department") or "").strip():
            raise forms.ValidationError(gettext_lazy("请选择部门。"))
        return data


def _page(request, *, status: int = 200, error: str = "", done: str = ""):
    staff = (
        User.objects.filter(role__in=CENTRAL_STAFF, is_active=True)
        .select_related("approver_post__department")
        .order_by("role", "username")
    )
    context = {
        "staff": staff,
        "departments": Department.objects.order_by("code"),
        "roles": [(Role.APPROVER, Role.APPROVER.label), (Role.CENTRAL_SUPERVISOR, Role.CENTRAL_SUPERVISOR.label)],
        "error": error,
        "done": done,
        "is_admin": request.user.role == Role.ADMIN,
    }
    return render(request, "review/staff_posts.html", context, status=status)


@role_required(*POSTERS)
def staff_posts(request):
    if request.method != "POST":
        return _page(request)
    form = PostForm(request.POST)
    if not form.is_valid():
        return _page(request, status=400, error=next(str(m) for errors in form.errors.values() for m in errors))
    data = form.cleaned_data
    try:
        if data["action"] == "end":
            services.approver_post_end(actor=request.user, user_id=data["user"])
            done = _("岗位已撤销。")
        else:
            target = User.objects.filter(id=data["user"]).only("role").first()
            services.approver_post_set(
                actor=request.user,
                user_id=data["user"],
                department_code=data["department"],
                role=data["role"] or (target.role if target else Role.APPROVER),
            )
            done = _("岗位已保存。")
    except DomainError as exc:
        return _page(request, status=status_for(exc), error=str(exc.detail))
    return _page(request, done=done)
