"""Domain errors are not HTTP errors (issue 11 point 4): services raise a stable code and a translatable
message; one table at the edge (govservice.api.STATUS_BY_CODE) turns codes into statuses; and every
sentence a person reads goes through gettext, one language at a time.

These tests read the source (no import of the apps' modules), so they hold on both sites."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from rest_framework.exceptions import APIException

from govservice.api import STATUS_BY_CODE, status_for
from govservice.lib.errors import Busy, Conflict, DomainError, Throttled

ROOT = Path(__file__).resolve().parents[2]
ERRORS = {"DomainError", "Conflict", "Busy", "Throttled", "LookupLocked", "TransitionRefused"}
CJK = re.compile(r"[\u4e00-\u9fff]")
# "中文。 English." — both languages in one literal: the reader gets the other language too.
BILINGUAL = re.compile(r"[\u4e00-\u9fff][^A-Za-z]*[。！？）)]\s+[A-Z][a-z]+")


def _modules():
    for path in sorted((ROOT / "apps").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def _raised_errors():
    for path, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in ERRORS:
                yield path, node


def test_a_domain_error_is_no_http_error():
    assert not issubclass(DomainError, APIException)
    assert status_for(DomainError("x")) == 422 and status_for(Conflict("x")) == 409
    assert status_for(Busy("x")) == 429 and status_for(Throttled("x")) == 429
    assert status_for(DomainError("x", code="not_found")) == 404


def test_services_pick_no_http_status():
    picked = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path, node in _raised_errors()
        if any(keyword.arg == "status_code" for keyword in node.keywords)
    ]
    assert picked == []


def test_every_code_raised_has_its_status_at_the_edge():
    codes = {
        keyword.value.value
        for _, node in _raised_errors()
        for keyword in node.keywords
        if keyword.arg == "code" and isinstance(keyword.value, ast.Constant)
    }
    assert len(codes) > 50
    assert sorted(codes - set(STATUS_BY_CODE)) == []


def test_no_service_selector_or_handler_speaks_http():
    speaking = []
    for path, tree in _modules():
        if path.stem not in {"services", "selectors", "handlers"} and "services" not in path.parts:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("rest_framework"):
                speaking.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert speaking == []


def test_no_literal_speaks_both_languages_at_once():
    """A sentence is written once in Chinese and translated (locale/en); "中文。 English." literals give
    every reader both languages and the English reader no translation."""
    both = []
    for path, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and BILINGUAL.search(node.value):
                both.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert both == []


def test_every_flash_message_is_translated():
    """messages.success/error/… with a bare literal (or f-string) shows Chinese to an English reader."""
    bare = []
    for path, tree in _modules():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and getattr(node.func.value, "id", None) == "messages"
                and node.func.attr in {"success", "error", "info", "warning"}
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant | ast.JoinedStr)
                and CJK.search(ast.unparse(node.args[1]))
            ):
                bare.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert bare == []
