"""Dates on pages read as their reader writes them (2026年3月20日, Mar 20, 2026), moments in the
organisation's zone (Asia/Shanghai); form values, CSV and the API keep ISO dates."""

from __future__ import annotations

import html as html_module

from tests.webapp.web_support import text_of


def page_in(user, lang: str, path: str) -> str:
    user.post("/language", data={"lang": lang, "next": "/"})
    return html_module.unescape(text_of(user.get(path)))


def assigned(flow, org):
    finding = flow.raise_(unit=org.group_a.id)
    return flow.fire(finding.id, "assign", org.inspector,
                     {"requirement": "Clear the exits", "due_date": "2026-03-20"})


def test_a_finding_shows_its_dates_in_the_readers_language(browser, flow, org):
    finding = assigned(flow, org)
    user = browser("handler_a")
    zh = page_in(user, "zh_CN", f"/findings/{finding.id}")
    assert "2026年3月20日" in zh and "2026-03-20" not in zh
    assert "2026年3月2日 09:00" in zh  # raised at 01:00 UTC: 09:00 in Asia/Shanghai
    en = page_in(user, "en", f"/findings/{finding.id}")
    assert "Mar 20, 2026" in en and "2026-03-20" not in en
    assert "Mar 2, 2026 09:00" in en


def test_the_ledger_rows_show_local_dates_and_the_export_keeps_iso(browser, flow, org):
    finding = assigned(flow, org)
    user = browser("supervisor")
    assert "Mar 20, 2026" in page_in(user, "en", "/ledger")
    assert "2026年3月20日" in page_in(user, "zh_CN", "/ledger")
    csv = text_of(user.get("/ledger.csv"))
    assert "2026-03-20" in csv and "2026年3月20日" not in csv and finding.code in csv


def test_forms_and_the_api_keep_iso_dates(browser, api, flow, org):
    finding = assigned(flow, org)
    assert api.get(f"/api/v1/findings/{finding.id}", org.handler_a).get_json()["due_date"] \
        == "2026-03-20"
    form = page_in(browser("inspector"), "en", "/admin/inspections")
    assert 'name="inspected_on" value="2026-03-02"' in form
