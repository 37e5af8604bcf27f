"""The English catalogue (locale/en/LC_MESSAGES/django.po) is complete: every entry has its English, none is
left fuzzy, and every placeholder of the Chinese is in the English too. Plus a few pages that used to stay
Chinese for an English visitor (Accept-Language: en): the kiosk, the printed ticket, "My services"."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.test import Client

from tests.personas_front import TERMINAL_TOKEN

CATALOGUE = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "django.po"

# {name} (str.format, python-brace-format) and %(name)s (python-format; blocktranslate variables too).
PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}|%\([A-Za-z_][A-Za-z0-9_]*\)[sdif]")
KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (\".*\")$")


def read_catalogue(path: Path = CATALOGUE) -> list[dict]:
    """The entries of a .po file, each {"flags": set, "msgid": str, "msgstr": str | "msgstr[0]": str, …}.
    Obsolete entries (#~) and comments are skipped; the header (empty msgid) is left out."""
    entries: list[dict] = []
    entry: dict | None = None
    key = ""
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            if entry is not None:
                entries.append(entry)
            entry = None
            continue
        if line.startswith("#~"):
            continue
        if entry is None:
            entry = {"flags": set(), "line": number}
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif match := KEYWORD.match(line):
            key = match.group(1)
            entry[key] = ast.literal_eval(match.group(2))
        elif line.startswith('"') and key:
            entry[key] += ast.literal_eval(line)
        else:
            raise AssertionError(f"{path.name}:{number}: cannot read {raw!r}")
    if entry is not None:
        entries.append(entry)
    return [e for e in entries if e.get("msgid")]


def translations(entry: dict) -> list[tuple[str, str]]:
    """(source, English) pairs of an entry: one, or one per plural form."""
    if "msgid_plural" in entry:
        forms = sorted(k for k in entry if k.startswith("msgstr["))
        return [(entry["msgid"] if k == "msgstr[0]" else entry["msgid_plural"], entry[k]) for k in forms]
    return [(entry["msgid"], entry.get("msgstr", ""))]


ENTRIES = read_catalogue()


def where(entry: dict) -> str:
    return f"line {entry['line']}: {entry['msgid'][:60]!r}"


def test_the_catalogue_is_read():
    # A parser that read nothing would pass every check below.
    assert len(ENTRIES) > 1000
    assert any(e["msgid"] == "【云窗口】" or e["msgid"].startswith("【云窗口】") for e in ENTRIES)


def test_every_entry_has_its_english():
    empty = [where(e) for e in ENTRIES if any(not english.strip() for _, english in translations(e))]
    assert not empty, f"{len(empty)} entries without English: {empty[:20]}"


def test_plural_entries_have_both_english_forms():
    plural = [e for e in ENTRIES if "msgid_plural" in e]
    assert plural
    short = [where(e) for e in plural if {"msgstr[0]", "msgstr[1]"} - set(e)]
    assert not short, short


def test_no_entry_is_fuzzy():
    # makemessages guesses fuzzy matches; gettext ignores them, so they must be checked and unflagged.
    fuzzy = [where(e) for e in ENTRIES if "fuzzy" in e["flags"]]
    assert not fuzzy, f"{len(fuzzy)} fuzzy entries: {fuzzy[:20]}"


def test_the_english_keeps_every_placeholder():
    wrong = [
        f"{where(e)}: {sorted(set(PLACEHOLDER.findall(source)))} ≠ {sorted(set(PLACEHOLDER.findall(english)))}"
        for e in ENTRIES
        for source, english in translations(e)
        if set(PLACEHOLDER.findall(source)) != set(PLACEHOLDER.findall(english))
    ]
    assert not wrong, wrong


def test_every_msgid_is_there_once():
    seen: set[tuple] = set()
    twice = []
    for e in ENTRIES:
        key = (e.get("msgctxt"), e["msgid"])
        if key in seen:
            twice.append(where(e))
        seen.add(key)
    assert not twice, twice


# --- Pages in English ----------------------------------------------------------------------------------------


@pytest.fixture
def kiosk(terminal):
    client = Client()
    client.post("/terminal/", {"token": TERMINAL_TOKEN})
    return client


@pytest.mark.django_db
def test_the_kiosk_speaks_english_when_asked(kiosk, matter):
    english = kiosk.get("/terminal/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<h2 id="checkin-title">Appointment check-in</h2>' in english
    assert "<strong>Walk-in ticket</strong>" in english and "预约签到" not in english
    # Chinese stays the default.
    assert '<h2 id="checkin-title">预约签到</h2>' in kiosk.get("/terminal/").content.decode()

    walk_in = kiosk.get("/terminal/walk-in/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Step 2: choose the service" in walk_in and "ID card (optional)" in walk_in and "Take a ticket" in walk_in
    key = re.search(r'name="idempotency_key" value="(\w+)"', walk_in).group(1)
    taken = kiosk.post("/terminal/walk-in/", {"matter": matter.code, "green_channel": "", "idempotency_key": key})
    ticket = kiosk.get(taken["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # A plural form (nobody ahead: "0 people") and the rating code's label.
    assert "0 people" in ticket and "Rating code" in ticket and "Your number will be called soon" in ticket


@pytest.mark.django_db
def test_my_services_speaks_english_when_asked(citizen):
    client = Client()
    client.force_login(citizen)
    html = client.get("/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<h1>My services</h1>" in html
    assert "No appointments yet." in html and "No cases yet." in html and "Book an appointment" in html
    assert "<h1>我的办事</h1>" in client.get("/me/").content.decode()


def test_every_string_marked_for_translation_has_its_english(tmp_path):
    """makemessages over a copy of the code (it rewrites the catalogue it works on, so never the real one):
    a string marked in a template or in Python after the catalogue was last completed shows up empty or
    fuzzy there, and fails here with its text."""
    import os
    import shutil
    import subprocess
    import sys

    root = CATALOGUE.parents[3]
    for name in ("apps", "govservice", "templates"):
        shutil.copytree(root / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(root / "manage.py", tmp_path / "manage.py")
    copy = tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.po"
    copy.parent.mkdir(parents=True)
    shutil.copy(CATALOGUE, copy)
    env = {**os.environ, "SITE_ROLE": "front", "DEV_MODE": "1"}
    done = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-location", "--no-wrap", "-v", "0"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    missing = [
        e["msgid"][:80]
        for e in read_catalogue(copy)
        if "fuzzy" in e["flags"] or any(not english.strip() for _, english in translations(e))
    ]
    assert not missing, f"{len(missing)} marked strings without English in locale/en: {missing[:20]}"
