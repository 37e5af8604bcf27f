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
