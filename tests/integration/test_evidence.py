"""Evidence files: one row per uploader of the same bytes; reading follows the finding's scope."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from workflow.errors import UnknownFinding
from workflow.models import Attachment
from workflow.runtime import Rectify
from workflow.services.evidence import readable_attachment

Flow = Any  # the `flow` fixture from tests/conftest.py


def _put(rectify: Rectify, data: bytes, name: str, user: Any) -> tuple[int, str, str]:
    with rectify.unit_of_work() as uow:
        row = uow.store.put(uow.session, data, name, user)
        uow.commit()
        return row.id, row.sha256, row.original_name


def test_the_same_bytes_from_two_users_are_two_rows_and_one_file(flow: Flow, rectify: Rectify,
                                                                png: Any) -> None:
    org = flow.org
    data = png(42)
    first = _put(rectify, data, "exit-b.png", org.handler_b)
    second = _put(rectify, data, "mine.png", org.handler_a)
    again = _put(rectify, data, "renamed.png", org.handler_a)
    assert first[1] == second[1] and first[0] != second[0]
    assert second[2] == "mine.png"  # never the other uploader's name
    assert again[0] == second[0]  # the same user's same bytes: its own row again
    stored = list((rectify.settings.attachments_path).rglob(first[1]))
    assert len(stored) == 1

    # handler_a can use its own upload as evidence although handler_b uploaded it first
    fid = flow.drive(flow.raise_().id, "assign").id
    done = flow.fire(fid, "report_rectification", org.handler_a,
                     {"measures": "Exits cleared", "evidence": [second[1]]})
    assert done.state == "rectified"
    with rectify.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Attachment)) == 2
        # the reviewer (scope above group A) reads handler_a's row, linked to the finding
        seen = readable_attachment(uow.session, org.reviewer, second[1])
        assert (seen.id, seen.original_name) == (second[0], "mine.png")
        # handler_b reads its own row; handler_a1 (below group A) sees neither
        assert readable_attachment(uow.session, org.handler_b, first[1]).id == first[0]
        with pytest.raises(UnknownFinding):
            readable_attachment(uow.session, org.handler_a1, first[1])
