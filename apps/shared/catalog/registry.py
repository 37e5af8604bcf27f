"""What the catalog shows of apps it may not import. The catalog runs on both sites; halls (booking) and
guides (guidance) are front apps, so they register here from their AppConfig.ready(), as the owning apps
register the exchange's handlers (exchange/registry.py). Where nothing registers (central), the catalog
answers from what it holds itself: the hall codes its matters name, and no guide link."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class HallDirectory:
    # (code, name) of every hall a citizen may pick, ordered by code.
    choices: Callable[[], list[tuple[str, str]]]
    # Of the given codes, those that name no hall, in the order given.
    unknown_codes: Callable[[list[str]], list[str]]


_halls: HallDirectory | None = None
_guide_url: Callable[[str], str] | None = None


def provides_halls(
    *, choices: Callable[[], list[tuple[str, str]]], unknown_codes: Callable[[list[str]], list[str]]
) -> None:
    global _halls
    directory = HallDirectory(choices=choices, unknown_codes=unknown_codes)
    if _halls is not None and _halls != directory:
        raise RuntimeError("two hall directories registered with the catalog")
    _halls = directory


def provides_guide_url(func: Callable[[str], str]) -> None:
    """``func(matter_code)`` is the URL of the matter's guide page on this site."""
    global _guide_url
    if _guide_url is not None and _guide_url is not func:
        raise RuntimeError("two guide pages registered with the catalog")
    _guide_url = func


def halls() -> HallDirectory | None:
    return _halls


def guide_url(matter_code: str) -> str | None:
    return _guide_url(matter_code) if _guide_url is not None else None
