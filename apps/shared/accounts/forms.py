from django import forms
from django.utils.translation import gettext_lazy as _


class RegisterForm(forms.Form):
    username = forms.RegexField(label=_("用户名"), regex=r"^[\w.@+-]{3,150}$", max_length=150)
    real_name = forms.CharField(label=_("真实姓名"), max_length=30)
    id_number = forms.CharField(label=_("身份证号码"), max_length=18, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    phone = forms.CharField(label=_("手机号码"), max_length=11, widget=forms.TextInput(attrs={"inputmode": "tel"}))
    email = forms.EmailField(label=_("电子邮箱（选填）"), required=False)
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput, min_length=8)
