"""The pictures the docs show are there, and every picture kept is shown somewhere: a link
to a screenshot that was renamed or never taken is a dead link for a reader, and a picture
no page links is a stale one (retaken under another name)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# [words](target) and ![words](target); the target up to a space (a title) or the bracket
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)[^)]*\)")
PICTURE = re.compile(r"\.(png|jpe?g|gif|svg)$", re.IGNORECASE)


def picture_links(page: Path) -> list[str]:
    return [t for t in LINK.findall(page.read_text(encoding="utf-8"))
            if PICTURE.search(t) and "://" not in t]


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_every_picture_a_page_links_exists(page):
    missing = [t for t in picture_links(page) if not (page.parent / t).is_file()]
    assert not missing, f"{page.relative_to(ROOT)} links pictures that are not there: {missing}"


def test_every_screenshot_kept_is_linked_from_a_page():
    linked = {(page.parent / t).resolve() for page in PAGES for t in picture_links(page)}
    stale = sorted(p.name for p in (ROOT / "docs" / "screenshots").iterdir()
                   if PICTURE.search(p.name) and p.resolve() not in linked)
    assert not stale, f"pictures no page shows (delete them, or link them): {stale}"
