"""Simplified Chinese: exactly what the templates printed before they named their formats (2026年12月3日,
12月3日 09:00, 12月3日 星期四 09:00). Django's own zh_Hans module pads MONTH_DAY_FORMAT (m月j日); the site does not."""

DATE_FORMAT = "Y年n月j日"  # 2026年12月3日
DATETIME_FORMAT = "Y年n月j日 H:i"  # 2026年12月3日 09:00
MONTH_DAY_FORMAT = "n月j日"  # 12月3日

# The site's own names (see govservice/formats/__init__.py).
DATE_WEEKDAY_FORMAT = "Y年n月j日 l"  # 2026年12月3日 星期四
MONTH_DAY_TIME_FORMAT = "n月j日 H:i"  # 12月3日 09:00
MONTH_DAY_WEEKDAY_TIME_FORMAT = "n月j日 l H:i"  # 12月3日 星期四 09:00
