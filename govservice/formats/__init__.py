"""The site's own date formats per language (FORMAT_MODULE_PATH), on top of Django's.

Templates name a format instead of spelling one out (``|date:"MONTH_DAY_TIME_FORMAT"``), so that an English
visitor sees "3 Dec 09:00" where a Chinese one sees "12月3日 09:00". Django's ``date`` filter looks any name up
in the active language's format module (django.utils.formats.get_format), so the custom names below work as
well as the standard ones; every name used in a template must be defined in every language's module (a name
missing from the module would be used as a format string itself).
"""
