from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]

# Citizens register at the front only: included at the root of the front site (govservice/urls_front.py),
# outside the "accounts" namespace.
register_urlpatterns = [
    path("register/", views.register, name="register"),
]
