"""Languages (Chinese first, English), time zone and formats."""

from __future__ import annotations

from .core import BASE_DIR

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language switch on every page (Django's set_language) keeps the choice in this cookie for a year.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
FORMAT_MODULE_PATH = ["govservice.formats"]  # the site's named date formats per language (govservice/formats/)
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
