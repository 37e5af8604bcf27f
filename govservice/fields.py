"""Serializer fields the API shares.

``BooleanField``: DRF's, except that a form or multipart body without the field is refused as missing (400
``required``), as a JSON body without it is. DRF's own reads an absent field in an HTML form as ``false`` (an
unticked checkbox sends nothing), so a form PUT of a person's notification preferences that left ``sms`` out
would silently switch their text messages off; an API client never means "false" by leaving a field out.
"""

from __future__ import annotations

from rest_framework import fields


class BooleanField(fields.BooleanField):
    default_empty_html = fields.empty
