"""Static files fingerprinted and cached for a year, gzip when asked, and the pages' a11y basics."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

from web.static_assets import IMMUTABLE, build_manifest

STATIC = Path(__file__).resolve().parents[2] / "web" / "static"
TEMPLATES = STATIC.parent / "templates"


def _static_urls(html: str) -> dict[str, str]:
    """'css/app.css' -> the URL the page names for it."""
    urls = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    return {re.sub(r"\.[0-9a-f]{12}(?=\.|$)", "", url.removeprefix("/static/")): url for url in urls}


def test_pages_name_fingerprinted_files_cached_for_a_year_and_are_not_cached_themselves(client):
    page = client.get("/login")
    assert "immutable" not in page.headers.get("Cache-Control", "")
    urls = _static_urls(page.get_data(as_text=True))
    assert set(urls) >= {"css/app.css", "js/menu.js", "favicon.svg"}
    manifest = build_manifest(STATIC)
    assert urls["css/app.css"] == "/static/" + manifest["css/app.css"] != "/static/css/app.css"
    with client.get(urls["css/app.css"]) as css:
        assert css.status_code == 200 and css.headers["Cache-Control"] == IMMUTABLE
        assert css.get_data() == (STATIC / "css/app.css").read_bytes()
    with client.get("/static/css/app.css") as plain:  # an old or hand-written name revalidates
        assert plain.status_code == 200 and plain.headers["Cache-Control"] == "no-cache"
    with client.get("/static/css/app.000000000000.css") as stale:  # a page from before a deploy
        assert stale.status_code == 200 and stale.headers["Cache-Control"] == "no-cache"
        assert stale.get_data() == (STATIC / "css/app.css").read_bytes()
    assert client.get("/static/css/nothing.000000000000.css").status_code == 404
    assert client.get("/static/..%2f..%2fpyproject.toml").status_code == 404


def test_the_fingerprint_changes_when_the_file_changes(tmp_path):
    (tmp_path / "js").mkdir()
    script = tmp_path / "js" / "x.min.js"
    script.write_text("one()")
    first = build_manifest(tmp_path)["js/x.min.js"]
    script.write_text("two()")
    second = build_manifest(tmp_path)["js/x.min.js"]
    assert re.fullmatch(r"js/x\.min\.[0-9a-f]{12}\.js", first) and first != second


def test_big_scripts_are_gzipped_when_the_browser_accepts_it_and_revalidate_with_304(app, client):
    mermaid = "/static/" + build_manifest(STATIC)["vendor/mermaid/mermaid.min.js"]
    raw = (STATIC / "vendor/mermaid/mermaid.min.js").read_bytes()
    with client.get(mermaid, headers={"Accept-Encoding": "gzip, deflate, br"}) as zipped:
        assert zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.vary
        assert zipped.headers["Cache-Control"] == IMMUTABLE
        assert gzip.decompress(zipped.get_data()) == raw and len(zipped.get_data()) < len(raw) / 3
        etag = zipped.headers["ETag"]
    again = client.get(mermaid, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert again.status_code == 304 and not again.get_data()
    with client.get(mermaid) as plain:  # no Accept-Encoding: sent as it is
        assert "Content-Encoding" not in plain.headers and plain.get_data() == raw
    with client.get(mermaid, headers={"Accept-Encoding": "gzip;q=0, br"}) as refused:
        assert "Content-Encoding" not in refused.headers


def test_a_skip_link_is_the_first_focusable_element_and_leads_to_main(browser):
    html = browser("handler_a").get("/work").get_data(as_text=True)
    body = html.split("<body>", 1)[1]
    first = re.search(r"<(a|button|input|select|textarea)\b[^>]*>", body)
    assert first is not None and 'class="skip-link" href="#main"' in first.group(0)
    assert "跳到正文" in body and '<main id="main"' in body


def test_every_table_has_header_cells_with_a_scope():
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        if "<table" in text:
            assert "<th" in text, template
        for cell in re.findall(r"<th\b[^>]*>", text):
            assert 'scope="' in cell, (template, cell)


def test_printing_hides_navigation_forms_buttons_and_empty_cards(client):
    with client.get("/static/css/app.css") as response:
        css = response.get_data(as_text=True)
    printed = css.split("@media print", 1)[1]
    for hidden in (".topbar", ".actions-card", "form", "button", ".card:not(:has("):
        assert hidden in printed


def _luminance(colour: str) -> float:
    if len(colour) == 4:  # #fff -> #ffffff
        colour = "#" + "".join(c * 2 for c in colour[1:])
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_muted_text_has_a_contrast_of_at_least_4_5_on_every_background_it_sits_on():
    css = (STATIC / "css/app.css").read_text()
    variables = dict(re.findall(r"--(\w+):(#[0-9a-f]{6}|#[0-9a-f]{3})\b", css))
    tag = re.search(r"\.tag \{[^}]*background:(#[0-9a-f]{6}|#[0-9a-f]{3})\b", css)
    assert tag is not None
    for background in (variables["bg"], variables["card"], tag.group(1)):
        lighter, darker = sorted((_luminance(variables["muted"]), _luminance(background)), reverse=True)
        assert (lighter + 0.05) / (darker + 0.05) >= 4.5, background
