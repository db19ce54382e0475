"""The import page: template, upload and check, import; errors by row with the marked file."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.integration.test_import import ZH, good_rows, xlsx, zip_bomb
from tests.webapp.test_web_security import assert_csrf_refusal, logged_in_with_csrf
from tests.webapp.web_support import text_of
from workflow.models import Event, Finding
from workflow.services import import_file as import_file_module


def _findings(rectify) -> int:
    with rectify.unit_of_work(write=False) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(Finding)) or 0)


def test_an_inspector_checks_then_imports_a_file_and_a_handler_may_not(rectify, browser):
    inspector = browser("inspector")
    template = inspector.get("/import/template.xlsx")
    assert template.status_code == 200
    assert load_workbook(io.BytesIO(template.data)).worksheets[0]["B1"].value == "问题标题*"
    with rectify.unit_of_work(write=False) as uow:
        rows = good_rows(uow.today(), 2)
    checked = inspector.post("/import", data={"file": (io.BytesIO(xlsx(ZH, rows)), "清单.xlsx")},
                             content_type="multipart/form-data")
    assert checked.status_code == 200 and _findings(rectify) == 0  # a check writes nothing
    html = text_of(checked)
    digest = html.split('name="digest" value="')[1][:64]
    done = inspector.post("/import/confirm", data={"digest": digest, "suffix": ".xlsx"})
    assert done.status_code == 302 and _findings(rectify) == 2
    handler = browser("handler_a")
    assert handler.get("/import").status_code == 403
    assert handler.get(f"/import/{digest}/xlsx/errors.xlsx").status_code == 403


def test_a_wrong_row_is_listed_and_the_marked_file_comes_back(rectify, browser):
    inspector = browser("inspector")
    with rectify.unit_of_work(write=False) as uow:
        rows = good_rows(uow.today(), 2)
    rows[1][0] = "不存在的单位"
    checked = inspector.post("/import", data={"file": (io.BytesIO(xlsx(ZH, rows)), "a.xlsx")},
                             content_type="multipart/form-data")
    assert checked.status_code == 422 and "单位不存在或不在您的管辖范围内" in text_of(checked)
    assert 'name="digest"' not in text_of(checked)  # no import button
    link = re.search(r'href="(/import/[0-9a-f]{64}/xlsx/errors\.xlsx)"', text_of(checked))
    assert link is not None
    marked = load_workbook(io.BytesIO(inspector.get(link.group(1)).data)).active
    assert marked is not None and marked.cell(1, 8).value == "错误"
    assert "责任单位" in marked.cell(3, 8).value and _findings(rectify) == 0
    junk = inspector.post("/import", data={"file": (io.BytesIO(b"%PDF"), "a.pdf")},
                          content_type="multipart/form-data")
    assert junk.status_code == 422 and "只能导入 XLSX 或 CSV" in text_of(junk)
    assert inspector.get("/import/" + "../" * 3 + "x/xlsx/errors.xlsx").status_code == 404


def _stashed_files(rectify) -> list[str]:
    folder = rectify.settings.instance_path / "imports"
    return sorted(p.name for p in folder.glob("*")) if folder.exists() else []


def test_only_a_readable_upload_is_kept_and_a_user_keeps_five_at_most(rectify, browser,
                                                                      monkeypatch):
    monkeypatch.setattr(import_file_module, "MAX_UNPACKED", 1024 * 1024)
    inspector = browser("inspector")
    for junk, name in ((zip_bomb(2 * 1024 * 1024), "bomb.xlsx"), (b"PK\x03\x04junk", "a.xlsx")):
        refused = inspector.post("/import", data={"file": (io.BytesIO(junk), name)},
                                 content_type="multipart/form-data")
        assert refused.status_code == 422 and 'name="digest"' not in text_of(refused)
    assert _stashed_files(rectify) == []  # a refused file is never written to the disk
    with rectify.unit_of_work(write=False) as uow:
        today = uow.today()
    for n in range(7):
        inspector.post("/import", data={"file": (io.BytesIO(xlsx(ZH, good_rows(today, n + 1))),
                                                 "a.xlsx")}, content_type="multipart/form-data")
    assert len(_stashed_files(rectify)) == 5


def test_import_and_comment_instead_need_the_csrf_token(make_app, rectify, flow):
    app = make_app(WTF_CSRF_ENABLED=True)
    client, token = logged_in_with_csrf(app, "inspector")
    existing = flow.raise_()
    upload = {"file": (io.BytesIO(xlsx(ZH, good_rows(flow.today(), 1))), "a.xlsx")}
    assert_csrf_refusal(app, client.post("/import", data=upload, content_type="multipart/form-data"))
    assert _stashed_files(rectify) == []
    upload = {"file": (io.BytesIO(xlsx(ZH, good_rows(flow.today(), 1))), "a.xlsx")}
    checked = client.post("/import", data={**upload, "csrf_token": token},
                          content_type="multipart/form-data")
    digest = text_of(checked).split('name="digest" value="')[1][:64]
    assert_csrf_refusal(app, client.post("/import/confirm", data={"digest": digest,
                                                                  "suffix": ".xlsx"}))
    assert_csrf_refusal(app, client.post(f"/raise/instead/{existing.id}", data={"title": "再次"}))
    assert _findings(rectify) == 1
    with rectify.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Event)) == 1  # its raise
