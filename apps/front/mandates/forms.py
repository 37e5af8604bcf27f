"""The pages' forms: what a page reads from a POST, checked before a service is called; the rules (who may be
named, which matters, how long) stay in the services, which say what is wrong in their own words."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.front.booking.models import GreenCategory
from apps.front.booking.selectors import MAX_ID


def form_error(form: forms.Form) -> str:
    """The form's errors as one line for the page, each sentence once."""
    sentences = dict.fromkeys(str(message) for errors in form.errors.values() for message in errors)
    return " ".join(sentences)


class CompanyRegisterForm(forms.Form):
    credit_code = forms.CharField(max_length=32, error_messages={"required": _("请填写统一社会信用代码。")})
    name = forms.CharField(max_length=200, error_messages={"required": _("请填写营业执照上的企业名称（200字以内）。")})
    consent = forms.BooleanField(required=False)


class AgentNamedForm(forms.Form):
    agent_id_number = forms.CharField(max_length=32, error_messages={"required": _("请填写受托人的身份证号码和姓名。")})
    agent_name = forms.CharField(max_length=64, error_messages={"required": _("请填写受托人的身份证号码和姓名。")})
    may_apply = forms.BooleanField(required=False)
    may_collect = forms.BooleanField(required=False)
    valid_until = forms.DateField(required=False, error_messages={"invalid": _("有效期格式应为 YYYY-MM-DD。")})


class CompanyAgentForm(AgentNamedForm):
    all_matters = forms.BooleanField(required=False)
    matter_codes = forms.MultipleChoiceField(required=False, choices=[])

    def __init__(self, *args, matter_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matter_codes"].choices = list(matter_choices)


class MandateGrantForm(AgentNamedForm):
    # One of the two: a matter (for what comes next) or one of the principal's cases.
    matter_code = forms.CharField(max_length=64, required=False)
    case_number = forms.CharField(max_length=32, required=False)


class ConfirmForm(forms.Form):
    code = forms.RegexField(
        r"^\s*\d{6}\s*$",
        max_length=12,
        error_messages={"required": _("请输入6位短信验证码。"), "invalid": _("请输入6位短信验证码。")},
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(max_length=200, required=False)


class AgentBookForm(forms.Form):
    slot = forms.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        error_messages={"required": _("请选择预约时段。"), "invalid": _("请选择预约时段。")},
    )
    idempotency_key = forms.CharField(required=False, strip=False)
    green_category = forms.ChoiceField(choices=[("", ""), *GreenCategory.choices], required=False)


class WindowCheckForm(forms.Form):
    person_id_number = forms.CharField(
        max_length=32, error_messages={"required": _("请读取或输入办理人的身份证号码。")}
    )
    principal_id_number = forms.CharField(max_length=32, required=False)


class PaperMandateForm(forms.Form):
    principal_id_number = forms.CharField(
        max_length=32, error_messages={"required": _("请填写委托人的身份证号码或统一社会信用代码。")}
    )
    agent_id_number = forms.CharField(max_length=32, error_messages={"required": _("请读取或输入办理人的身份证号码。")})
    matter_code = forms.CharField(max_length=64, required=False)
    case_number = forms.CharField(max_length=32, required=False)
    may_apply = forms.BooleanField(required=False)
    may_collect = forms.BooleanField(required=False)
    valid_until = forms.DateField(required=False, error_messages={"invalid": _("有效期格式应为 YYYY-MM-DD。")})
    scan = forms.FileField(required=False)
