"""What the issue-17 browser sweep checks on each page (tests/browser/test_everyone.py, tests/central's sweep):
axe-core (vendored in static/vendor/axe-core, injected from the site's own static files, so the pages'
Content-Security-Policy allows it) with no critical or serious violation; no sideways scroll; no content text
below 16 px; touch targets of at least 44 px; no Chinese left in an English page beyond the data shown. Each
page's screenshot is kept under var/test-artifacts/ (gitignored) for a person to look at. ``sweep`` walks a
role's pages in the four reader settings (both languages, standard and 关怀模式) and returns every finding."""

from __future__ import annotations

import os
import re
from pathlib import Path

from django.conf import settings

from govservice.care import CARE_COOKIE

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("VAR_DIR") or ROOT / "var") / "test-artifacts"
AXE = "/static/vendor/axe-core/axe.min.js"

_AXE_RUN = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations
    .filter((v) => v.impact === "critical" || v.impact === "serious")
    .map((v) => `${v.impact} ${v.id}: ${v.help} @ ${v.nodes.slice(0, 4).map((n) => n.target.join(" ")).join(" | ")}`);
}"""

# Visible text whose computed size is below the minimum (sr-only text and hidden elements are not seen).
_SMALL_TEXT = """(minimum) => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    if (!el || !el.checkVisibility() || el.closest(".sr-only, svg")) continue;
    const rect = el.getBoundingClientRect();
    if (rect.width <= 1 || rect.height <= 1) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < minimum) found.push(`${size}px "${node.textContent.trim().slice(0, 30)}"`);
  }
  return found.slice(0, 8);
}"""

# Controls a finger must hit: smaller than the minimum in both directions that matter (a link inside a
# sentence is exempt, as WCAG's target-size rule exempts inline targets).
_SMALL_TARGETS = """(minimum) => {
  const found = [];
  for (const el of document.querySelectorAll("button, select, summary, input:not([type=hidden]):not([type=radio]):not([type=checkbox]), nav a, .inbox a, td a, label:has(> input[type=radio]), label:has(> input[type=checkbox])")) {
    if (!el.checkVisibility() || el.closest(".sr-only")) continue;
    const rect = el.getBoundingClientRect();
    if (rect.width === 0) continue;
    if (rect.height < minimum - 0.5) found.push(`${Math.round(rect.width)}×${Math.round(rect.height)} ${el.tagName.toLowerCase()} "${(el.innerText || el.value || el.name || "").trim().slice(0, 24)}"`);
  }
  return found.slice(0, 8);
}"""

# The four reader settings every page is seen in: each language, in the standard mode and in 关怀模式.
SETTINGS = [("zh-hans", False), ("en", False), ("zh-hans", True), ("en", True)]
CJK = re.compile(r"[\u3400-\u9fff]+")


def axe_violations(page) -> list[str]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE)
    return page.evaluate(_AXE_RUN)


# The deepest elements that reach past the right edge: what makes the page scroll sideways. What is inside a box
# that scrolls or clips by itself (the phone's one-row navigation) cannot widen the page and is left out.
_WIDE = """() => {
  const edge = document.documentElement.clientWidth;
  const contained = (el) => {
    for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
      if (getComputedStyle(box).overflowX !== "visible") return true;
    }
    return false;
  };
  const wide = [...document.body.querySelectorAll("*")].filter((el) => el.getBoundingClientRect().right > edge + 0.5 && el.checkVisibility() && !contained(el));
  return wide.filter((el) => !wide.some((other) => other !== el && el.contains(other)))
    .slice(0, 5).map((el) => `${el.tagName.toLowerCase()}.${el.className} "${(el.innerText || "").trim().slice(0, 24)}" right=${Math.round(el.getBoundingClientRect().right)}`);
}"""


def scrolls_sideways(page) -> list[str]:
    """[] when the page fits its width (document.documentElement.scrollWidth <= clientWidth), else what sticks out."""
    if page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"):
        return []
    return page.evaluate(_WIDE) or ["scrollWidth > clientWidth"]


def small_text(page, minimum: float = 16) -> list[str]:
    return page.evaluate(_SMALL_TEXT, minimum)


def small_targets(page, minimum: float = 44) -> list[str]:
    return page.evaluate(_SMALL_TARGETS, minimum)


# The page's text without what is inside an element whose lang is Chinese (hidden while innerText is read).
_TEXT_NOT_DECLARED_CHINESE = """() => {
  const declared = [...document.body.querySelectorAll('[lang^="zh"]')];
  const shown = declared.map((e) => e.style.display);
  declared.forEach((e) => { e.style.display = "none"; });
  const text = document.body.innerText + " " + document.title;
  declared.forEach((e, i) => { e.style.display = shown[i]; });
  return text;
}"""


def chinese_left(page, data: list[str]) -> list[str]:
    """Chinese words on an English page that are not data (names of matters, halls, people, materials...).
    Text the page itself declares Chinese (``lang="zh-…"``: a case record's notes as they were written) is
    data too; every other Chinese word is interface left untranslated."""
    text = page.evaluate(_TEXT_NOT_DECLARED_CHINESE)
    for value in sorted(filter(None, data), key=len, reverse=True):  # an empty value would space out every letter
        text = text.replace(value, " ")
    # Each word once, with a little of the line around it: where on the page it is.
    found: dict[str, str] = {}
    for match in CJK.finditer(text):
        around = " ".join(text[max(match.start() - 16, 0) : match.end() + 16].split())
        found.setdefault(match.group(), f"{match.group()} «{around}»")
    return [found[word] for word in sorted(found)][:10]


def screenshot(page, device: str, name: str) -> None:
    folder = ARTIFACTS / device
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"), full_page=True)


def reader(context, live_server, language: str, care: bool) -> None:
    """The reader's choices as the switches leave them: the language cookie, and 关怀模式's."""
    context.clear_cookies(name=settings.LANGUAGE_COOKIE_NAME)
    context.clear_cookies(name=CARE_COOKIE)
    cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    if care:
        cookies.append({"name": CARE_COOKIE, "value": "1", "url": live_server.url})
    context.add_cookies(cookies)


def sweep(page, live_server, device: str, pages: dict, data: list[str], *, before=None) -> list[str]:
    """Each page in each reader setting: axe, sideways scroll, text size (standard mode), targets, and no
    Chinese left in English. ``before`` runs once per setting after the cookies are set (sign in, activate)."""
    findings: list[str] = []
    for language, care in SETTINGS:
        mode = f"{language}{'-care' if care else ''}"
        page.context.clear_cookies()
        if before:
            before(page)
        reader(page.context, live_server, language, care)
        for name, where in pages.items():
            if callable(where):
                where(page)
            else:
                page.goto(f"{live_server.url}{where}")
            found = [f"axe {v}" for v in axe_violations(page)]
            found += [f"scrolls sideways: {w}" for w in scrolls_sideways(page)]
            if not care:
                found += [f"small text {t}" for t in small_text(page)]
            found += [f"small target {t}" for t in small_targets(page)]
            if language == "en":
                found += [f"Chinese {w}" for w in chinese_left(page, data)]
            findings += [f"{mode} {name}: {f}" for f in found]
            screenshot(page, device, f"{mode}-{name}")
    return findings
