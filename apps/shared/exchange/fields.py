"""An encrypted JSON document for outbox payloads (they name applicants and their ID numbers).

django-fernet-encrypted-fields' EncryptedJSONField encrypts each leaf as a string, so numbers, booleans
and null come back as strings; this field encrypts the whole document once, so every type survives. Its key
ring is the personal-data keys' (govservice/lib/fieldcrypto.py).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from govservice.lib.fieldcrypto import EncryptedTextField


class EncryptedJSONDocumentField(EncryptedTextField):
    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        document = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True)
        return self.f.encrypt(document.encode()).decode()

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        return json.loads(self.decrypt_stored(value))

    def to_python(self, value: Any) -> Any:
        # Only forms and fixtures hand us a string here (clear JSON); model values are already documents.
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value
