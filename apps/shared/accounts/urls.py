from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # A signed-in account that is not verified yet (one from before verification existed) verifies here.
    path("verify/", views.account_verify, name="verify"),
]

# Citizens register at the front only: included at the root of the front site (govservice/urls_front.py),
# outside the "accounts" namespace.
register_urlpatterns = [
    path("register/", views.register, name="register"),
    path("register/verify/", views.register_verify, name="register_verify"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("password-reset/confirm/", views.password_reset_confirm_view, name="password_reset_confirm"),
    # A hall clerk proves the real person of an ID number someone else registered (staff only).
    path("workbench/identity/", views.identity_takeover, name="identity_takeover"),
]
