"""Counting what a person does on a page: every click, fill, pick, tick and file choice is one
tap; the fills, picks, ticks and file choices are also fields (README: "One-step flows")."""

from __future__ import annotations

from typing import Any

TAPS = ("click", "fill", "select_option", "check", "set_input_files")
FIELDS = ("fill", "select_option", "check", "set_input_files")


class Taps:
    """The page, counting its taps and the fields filled; anything else passes through."""

    def __init__(self, page: Any) -> None:
        self.page, self.count, self.fields = page, 0, 0

    def __getattr__(self, name: str) -> Any:
        action = getattr(self.page, name)
        if name not in TAPS:
            return action

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            self.fields += name in FIELDS
            return action(*args, **kwargs)

        return counted
