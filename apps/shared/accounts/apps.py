from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.shared.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import (
            conf,  # noqa: F401 - reads the knobs' environment now: a malformed value stops start-up
            tokencache,
        )

        tokencache.connect()  # a token's or a user's change ends its cached lookups at once
