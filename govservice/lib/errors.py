"""Domain errors: what a service refuses, and why, in the words of the domain.

A service raises ``DomainError(message, code=...)``: a stable, machine-readable ``code`` that clients may
rely on (``slot_full``, ``not_found``, ``invalid_state`` …) and a message a person understands, written in
Chinese and marked for translation, so that it reads in the reader's language where it is shown. A
service never picks an HTTP status: the edge (``govservice.api``) maps each code to the status of the API
answer, and pages turn the same error into a form error or a message. The classes below only say what
kind of refusal it is when no code was given.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A business rule refused the request."""

    default_code = "rule_violation"

    def __init__(self, message: Any, *, code: str | None = None, status_code: int | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        # Transitional: a status picked by the raiser. Services are being moved to codes only (the edge's
        # STATUS_BY_CODE); tests/shared/test_domain_errors.py lists what is left.
        self.status_override = status_code

    def __str__(self) -> str:
        return str(self.message)

    @property
    def detail(self) -> str:
        """The message in the active language (the name DRF's errors use)."""
        return str(self.message)

    @property
    def error_code(self) -> str:
        return self.code


class Conflict(DomainError):
    """The request clashes with the current state of something (someone else was first, it is full …)."""

    default_code = "conflict"


class Busy(DomainError):
    """Nothing was written and the same request may simply be sent again shortly."""

    default_code = "busy"


class Throttled(DomainError):
    """Too many requests from this person or address; try again after ``retry_after`` seconds."""

    default_code = "throttled"

    def __init__(self, message: Any, *, code: str | None = None, retry_after: int | None = None):
        super().__init__(message, code=code)
        self.retry_after = retry_after
