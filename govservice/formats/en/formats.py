"""English, British style like the catalogue (3 December 2026; day before month, 24-hour clock)."""

DATE_FORMAT = "j F Y"  # 3 December 2026
DATETIME_FORMAT = "j F Y H:i"  # 3 December 2026 09:00
MONTH_DAY_FORMAT = "j F"  # 3 December

# The site's own names (see govservice/formats/__init__.py).
DATE_WEEKDAY_FORMAT = "l j F Y"  # Thursday 3 December 2026
MONTH_DAY_TIME_FORMAT = "j M H:i"  # 3 Dec 09:00
MONTH_DAY_WEEKDAY_TIME_FORMAT = "D j M H:i"  # Thu 3 Dec 09:00
