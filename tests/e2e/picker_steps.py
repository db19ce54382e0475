"""Steps on the unit picker (partials/unit_picker.html) shared by the browser tests: the units a
picker offers (walking its tree through the page's own session) and picking one by its code."""

from __future__ import annotations

from typing import Any


def offered_unit_ids(page: Any, box_css: str) -> set[int]:
    """Every unit id the picker whose text box is `box_css` lets one pick."""
    url = page.locator(box_css).evaluate("box => box.closest('.unit-picker').dataset.url")
    base = page.url.split("/", 3)[:3]
    offered: set[int] = set()
    to_open = [""]
    while to_open:
        answer = page.request.get(f"{'/'.join(base)}{url}&parent={to_open.pop()}")
        assert answer.ok, answer.text()
        for unit in answer.json()["units"]:
            if unit["selectable"]:
                offered.add(unit["id"])
            if unit["has_children"]:
                to_open.append(str(unit["id"]))
    return offered


def pick_unit_by_code(page: Any, box_css: str, code: str) -> None:
    """Type a unit's code and press Enter once the unit heads the list (an exact code ranks
    first); the picker's hidden input then carries its id."""
    box = page.locator(box_css)
    box.fill(code)
    list_id = box.get_attribute("aria-controls")
    page.wait_for_function(
        """([listId, code]) => {
            const first = document.querySelector(`#${listId} [role=option] small`);
            return first && first.textContent.split(" · ")[0] === code;
        }""", arg=[list_id, code])
    box.press("Enter")
