"""DOMAIN.md's rules each point to the test that proves them (issue 13, "done when"): the README's section "Rules and
the tests that prove them" names tests as `path::Class::test` (a following `::name` or a bare `test_file.py::name`
continues from the last path named, a `[…]` is a parametrized case). Every one named must exist, so a renamed or
deleted test cannot leave a rule pointing at nothing. Read with ``ast``, nothing imported: it runs on either site."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECTION = "## Rules and the tests that prove them"


def section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    return text[start : end if end != -1 else len(text)]


def references(text: str) -> list[tuple[str, list[str], str | None]]:
    """Each test reference in the text, in order, as (path, names, class): a continuation `::test_x` after
    `path::TestA::test_b` may be TestA's (the class it continues), a bare `test_file.py` is in the directory of the
    latest path named where such a file exists."""
    found: list[tuple[str, list[str], str | None]] = []
    paths: list[str] = []
    last_class: str | None = None
    for token in re.findall(r"`([^`\n]+)`", text):
        token = re.sub(r"\[[^\]]*\]", "", token).strip()  # a parametrized case names its test
        if not token:
            continue  # `[param]` alone: another case of the test just named
        head, _, rest = token.partition("::")
        names = [name for name in rest.split("::") if name]
        context = None
        if token.startswith("::"):
            assert paths, f"`{token}` continues from no path"
            path = paths[-1]
            context = last_class
        elif head.endswith(".py") and head.startswith("tests/"):
            path = head
        elif head.endswith(".py") and "/" not in head and head.startswith("test_") and paths:
            folders = list(dict.fromkeys(str(Path(p).parent) for p in reversed(paths)))
            path = next((f"{d}/{head}" for d in folders if (ROOT / d / head).is_file()), f"{folders[0]}/{head}")
        else:
            continue  # a setting, a module of the code, an error code: not a test
        paths.append(path)
        if len(names) == 2 or (names and names[0][:1].isupper()):
            last_class = names[0]
        elif not token.startswith("::"):
            last_class = None
        found.append((path, names, context))
    return found


@cache
def definitions(path: str) -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    """The module's top-level names, and each class's methods (its bases' in the same file included)."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    top = frozenset(
        node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    )
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}

    def methods(name: str, seen: frozenset[str] = frozenset()) -> frozenset[str]:
        node = classes.get(name)
        if node is None or name in seen:
            return frozenset()
        own = {item.name for item in node.body if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)}
        for base in node.bases:
            if isinstance(base, ast.Name):
                own |= methods(base.id, seen | {name})
        return frozenset(own)

    return top, {name: methods(name) for name in classes}


def missing(path: str, names: list[str], context: str | None = None) -> str | None:
    if not (ROOT / path).is_file():
        return f"{path}: no such file"
    if not names:
        return None
    top, classes = definitions(path)
    first, *inner = names
    if not inner and first not in top and context is not None and first in classes.get(context, ()):
        return None  # `::test_x` continuing `path::TestA::test_b`: TestA's
    if first not in top:
        return f"{path}::{first}: not defined"
    if inner and (first not in classes or len(inner) > 1 or inner[0] not in classes[first]):
        return f"{path}::{'::'.join(names)}: not defined"
    return None


def test_it_reads_every_kind_of_reference():
    text = (
        "`tests/a/test_x.py::TestA::test_b[one]`, `[two]`, `::test_c`, `test_y.py::TestD`, "
        "`REMOTE_RECORDING`, `409 legal_limit_passed`, `apps/shared/catalog/applicants.py`, `tests/b/test_z.py`"
    )
    assert references(text) == [
        ("tests/a/test_x.py", ["TestA", "test_b"], None),
        ("tests/a/test_x.py", ["test_c"], "TestA"),
        ("tests/a/test_y.py", ["TestD"], None),
        ("tests/b/test_z.py", [], None),
    ]


def test_it_finds_a_missing_test_a_missing_method_and_a_missing_file():
    here = str(Path(__file__).relative_to(ROOT))
    assert missing(here, ["test_it_reads_every_kind_of_reference"]) is None
    assert missing(here, ["test_it_was_never_written"]) is not None
    assert missing(here, ["references", "nothing"]) is not None
    assert missing("tests/shared/test_not_there.py", []) is not None
    assert missing(here, ["test_b"], "Example") is None and missing(here, ["test_c"], "Example") is not None


def test_every_test_the_readme_names_for_a_rule_exists():
    found = references(section())
    assert len(found) > 200  # the table was read, not skipped
    assert [problem for path, names, context in found if (problem := missing(path, names, context))] == []


class Example:
    """A class for the continuation check above (not collected: no Test prefix)."""

    def test_b(self) -> None: ...
