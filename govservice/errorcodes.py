"""The stable error codes an API operation can answer, read from the code that raises them.

A service raises ``DomainError(message, code="…")`` (govservice/lib/errors.py) and the edge maps the code to a
status (govservice/api.py ``status_for``). Rather than a hand list per operation that drifts, the schema
(govservice/schema.py) asks ``codes_raised(function)``: the function's source is read (``ast``), every call is
resolved through the function's own module globals and closure, and

- a call with a ``code=`` keyword whose value is known (a literal, a module constant such as
  ``lifecycle.REFUSED``, a parameter bound to a literal by the caller, an f-string of those) is a code;
- a DomainError class raised without ``code=`` answers its ``default_code`` (and what its ``__init__`` passes);
- ``CalendarUnknown`` answers ``calendar_unknown`` (govservice/api.py exception_handler), and one of DRF's
  exceptions its default code (``AuthenticationFailed``: ``authentication_failed``, 401);
- a call of a function or method of this project (``apps.`` / ``govservice.``) is followed, with the literal
  arguments of the call bound to its parameters, to a bounded depth.

What it cannot follow (a method called on a model instance, a hook's receivers) it does not guess: the list
can miss a code, never invent one. Results are memoised per function and bound arguments.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import functools
import inspect
import textwrap
import types
from collections.abc import Callable, Iterable
from typing import Any

from rest_framework.exceptions import APIException

from govservice.lib.errors import DomainError

PROJECT_PACKAGES = ("apps.", "govservice.")
MAX_DEPTH = 12

# One raised code: (code, the status of its answer at the edge).
Raised = tuple[str, int]


def _is_project(obj: Any) -> bool:
    module = getattr(obj, "__module__", None) or ""
    return module.startswith(PROJECT_PACKAGES)


def _source_tree(func: Callable) -> ast.AST | None:
    try:
        source = inspect.getsource(func)
    except (OSError, TypeError):
        return None
    try:
        return ast.parse(textwrap.dedent(source))
    except SyntaxError:
        return None


class _Resolver:
    """Names of one function's body, resolved to objects: its arguments bound to literals, then its closure,
    its module's globals and the builtins."""

    def __init__(self, func: Callable, bindings: dict[str, Any], owner: type | None):
        self.func = func
        self.bindings = bindings
        self.owner = owner
        closure = {}
        code = getattr(func, "__code__", None)
        cells = getattr(func, "__closure__", None)
        if code is not None and cells:
            for name, cell in zip(code.co_freevars, cells, strict=False):
                with contextlib.suppress(ValueError):
                    closure[name] = cell.cell_contents
        self.scopes = (bindings, closure, getattr(func, "__globals__", {}), vars(builtins))

    def value(self, node: ast.AST) -> Any:
        """The object an expression names, or ``_UNKNOWN``."""
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            if node.id == "self" and self.owner is not None:
                return self.owner
            for scope in self.scopes:
                if node.id in scope:
                    return scope[node.id]
            return _UNKNOWN
        if isinstance(node, ast.Attribute):
            base = self.value(node.value)
            if base is _UNKNOWN:
                return _UNKNOWN
            try:
                return inspect.getattr_static(base, node.attr) if isinstance(base, type) else getattr(base, node.attr)
            except AttributeError:
                return _UNKNOWN
        if isinstance(node, ast.JoinedStr):
            parts = []
            for part in node.values:
                if isinstance(part, ast.Constant):
                    parts.append(str(part.value))
                elif isinstance(part, ast.FormattedValue):
                    inner = self.value(part.value)
                    if not isinstance(inner, str):
                        return _UNKNOWN
                    parts.append(inner)
            return "".join(parts)
        return _UNKNOWN


_UNKNOWN = object()


def _callable_of(obj: Any) -> Callable | None:
    """The plain function behind a project callable (staticmethod, classmethod, decorators unwrapped)."""
    if isinstance(obj, staticmethod | classmethod):
        obj = obj.__func__
    if isinstance(obj, types.MethodType):
        obj = obj.__func__
    if isinstance(obj, functools.partial):
        obj = obj.func
    if not isinstance(obj, types.FunctionType):
        return None
    try:
        obj = inspect.unwrap(obj)
    except ValueError:
        return None
    return obj if _is_project(obj) else None


def _bind(func: Callable, call: ast.Call, resolver: _Resolver) -> dict[str, Any]:
    """The call's literal (str) arguments, by the callee's parameter names."""
    try:
        params = list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):
        return {}
    bound: dict[str, Any] = {}
    positional = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if positional and positional[0] in ("self", "cls"):
        positional = positional[1:]
    for name, arg in zip(positional, call.args, strict=False):
        value = resolver.value(arg)
        if isinstance(value, str):
            bound[name] = value
    for keyword in call.keywords:
        if keyword.arg is not None:
            value = resolver.value(keyword.value)
            if isinstance(value, str):
                bound[keyword.arg] = value
    return bound


def _raised_by_class(cls: type[DomainError], call: ast.Call, resolver: _Resolver) -> set[Raised]:
    """What ``cls(...)`` answers: its code (given, else its default) and that code's status at the edge."""
    status = None
    code = None
    for keyword in call.keywords:
        value = resolver.value(keyword.value)
        if keyword.arg == "code" and isinstance(value, str):
            code = value
        elif keyword.arg == "status_code" and isinstance(value, int):
            status = value
    return {(code or cls.default_code, _status(cls, code or cls.default_code, status))}


def _status(cls: type[DomainError], code: str, override: int | None) -> int:
    from govservice.api import status_for

    error = cls.__new__(cls)
    error.code, error.status_override = code, override
    return status_for(error)


_MEMO: dict[tuple, set[Raised]] = {}
_IN_PROGRESS: set[tuple] = set()


def _walk(func: Callable, bindings: dict[str, Any], owner: type | None, depth: int) -> set[Raised]:
    key = (func, tuple(sorted(bindings.items())), owner)
    if key in _MEMO:
        return _MEMO[key]
    if key in _IN_PROGRESS or depth > MAX_DEPTH:
        return set()
    _IN_PROGRESS.add(key)
    try:
        found = _walk_body(func, bindings, owner, depth)
    finally:
        _IN_PROGRESS.discard(key)
    _MEMO[key] = found
    return found


def _walk_body(func: Callable, bindings: dict[str, Any], owner: type | None, depth: int) -> set[Raised]:
    from govservice.lib.workdays import CalendarUnknown

    tree = _source_tree(func)
    if tree is None:
        return set()
    resolver = _Resolver(func, bindings, owner)
    found: set[Raised] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        callee = resolver.value(node.func)
        if isinstance(callee, type):
            if issubclass(callee, CalendarUnknown):
                found.add(("calendar_unknown", 409))
            elif issubclass(callee, DomainError):
                found |= _raised_by_class(callee, node, resolver)
            elif issubclass(callee, APIException) and callee.status_code >= 400:
                # DRF's own, answered by the edge with their default code (a ValidationError's is "invalid").
                found.add((str(callee.default_code), callee.status_code))
            continue
        target = _callable_of(callee)
        if target is None:
            continue
        on_self = (
            isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "self"
        )
        found |= _walk(target, _bind(target, node, resolver), owner if on_self else None, depth + 1)
    return found


def codes_raised(func: Callable, owner: type | None = None) -> set[Raised]:
    """The codes ``func`` (and what it calls in this project) can raise, with their statuses."""
    target = _callable_of(func)
    if target is None:
        return set()
    return _walk(target, {}, owner, 0)


def codes_of(functions: Iterable[tuple[Callable, type | None]]) -> set[Raised]:
    found: set[Raised] = set()
    for func, owner in functions:
        found |= codes_raised(func, owner)
    return found
