"""Model fields shared by the apps."""

from __future__ import annotations

from django.core.exceptions import FieldError
from django.db import models

from . import pii


class EncryptedTextField(models.TextField):
    """Personal information encrypted at rest (hotline.core.pii): the database holds only ciphertext,
    Python sees the clear value. Never filter on it (each encryption differs): look values up by their
    blind index column instead. `max_length` bounds the clear value, as on a CharField form field."""

    def __init__(self, *args, clear_max_length: int | None = None, **kwargs):
        self.clear_max_length = clear_max_length
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.clear_max_length is not None:
            kwargs["clear_max_length"] = self.clear_max_length
        return name, path, args, kwargs

    def get_lookup(self, lookup_name):
        # A filter on ciphertext silently matches nothing (each encryption differs): refuse it loudly.
        if lookup_name != "isnull":
            raise FieldError(f"{self.model.__name__}.{self.name} is encrypted: filter by its blind index instead.")
        return super().get_lookup(lookup_name)

    def from_db_value(self, value, expression, connection):
        return pii.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return value if pii.is_encrypted(value) else pii.encrypt(value)

    def formfield(self, **kwargs):
        return super().formfield(**{"max_length": self.clear_max_length, **kwargs})
