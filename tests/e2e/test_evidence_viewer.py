"""Photos from a phone and the evidence viewer (README "Evidence uploads"): a 12 MP photo is
shrunk in the browser before it goes, with upload progress; the finding page shows before and
after, photos in a lightbox (arrow keys, Escape, focus back), PDFs previewed inline; desktop and
a 390x844 phone, zh and en."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from workflow.models import Attachment, User
from workflow.runtime import Rectify
from workflow.services.accounts import set_language

if TYPE_CHECKING:  # the fixtures' types, for reading only (conftest modules are not imported)
    from tests.conftest import Flow, Org
    from tests.e2e.conftest import LiveServer, Logins

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# A 4000x3000 JPEG of noise (a 12 MP phone photo that does not compress), drawn by the browser.
NOISE_JPEG = """() => {
  const canvas = document.createElement("canvas");
  canvas.width = 4000; canvas.height = 3000;
  const ctx = canvas.getContext("2d"), image = ctx.createImageData(4000, 3000);
  const px = new Uint32Array(image.data.buffer);
  let seed = 12345;
  for (let i = 0; i < px.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    px[i] = seed | 0xff000000;
  }
  ctx.putImageData(image, 0, 0);
  return canvas.toDataURL("image/jpeg", 0.92).split(",")[1];
}"""
# Whether a progress bar with text showed while the form was sent (kept across the page swap).
WATCH_PROGRESS = """() => {
  sessionStorage.removeItem("progress-seen");
  new MutationObserver(() => {
    const bar = document.querySelector(".upload-progress progress");
    const text = document.querySelector(".upload-progress [role=status]");
    if (bar && text && text.textContent.trim()) {
      sessionStorage.setItem("progress-seen", text.textContent.trim());
    }
  }).observe(document.body, { childList: true, subtree: true, characterData: true });
}"""


def prefer(rectify: Rectify, user: User, language: str) -> None:
    with rectify.unit_of_work() as uow:
        set_language(uow, uow.session.merge(user), language)


def store(rectify: Rectify, who: User, data: bytes, name: str) -> str:
    with rectify.unit_of_work() as uow:
        row = uow.store.put(uow.session, data, name, uow.session.merge(who))
        uow.commit()
        return row.sha256


def raised_with_photos(flow: Flow, org: Org) -> int:
    photos = [flow.evidence(org.inspector), flow.evidence(org.inspector)]
    finding = flow.raise_("standard", evidence=photos)
    return flow.drive(finding.id, "assign").id


def stored_size(rectify: Rectify, digest: str) -> int:
    with rectify.unit_of_work(write=False) as uow:
        return int(uow.session.scalar(select(Attachment.size).where(Attachment.sha256 == digest)))


@pytest.mark.parametrize("language", ["zh_CN"])  # en: the lightbox test (the suite's time)
def test_a_12_mp_photo_is_shrunk_before_it_goes_with_progress(
        logins: Logins, flow: Flow, org: Org, rectify: Rectify, language: str,
        shots: Callable[[Any, str], Path], tmp_path: Path) -> None:
    finding_id = raised_with_photos(flow, org)
    prefer(rectify, org.handler_a, language)
    page = logins.page(org.handler_a.username, PHONE)
    page.goto(f"{logins.url}/findings/{finding_id}?open=report_rectification")
    photo = tmp_path / "IMG_4000x3000.jpg"
    photo.write_bytes(base64.b64decode(page.evaluate(NOISE_JPEG)))
    original = photo.stat().st_size
    form = page.locator("#form-report_rectification")
    assert form.locator("input[capture=environment]").count() == 1  # the phone's camera
    assert form.locator("label.take-photo").is_visible()
    form.locator("textarea[name=measures]").fill("通道已清理，责任人已明确 / exits cleared")
    form.locator("#report_rectification-evidence").set_input_files(str(photo))
    page.evaluate(WATCH_PROGRESS)
    form.locator("button.primary").click()
    page.wait_for_selector("#before-after .after a.viewer-image img")
    progress = page.evaluate("sessionStorage.getItem('progress-seen')")
    assert progress and progress.endswith("%"), progress
    assert ("正在上传" if language == "zh_CN" else "Uploading") in progress
    shots(page, f"evidence-after-upload-phone-{language}")
    digest = flow.events(finding_id)[-1].payload["evidence"][0]
    size = stored_size(rectify, digest)
    print(f"12 MP noise photo: {original} B chosen, {size} B uploaded and stored")
    assert size < original / 3
    assert hashlib.sha256(photo.read_bytes()).hexdigest() != digest
    width, height = page.eval_on_selector(
        "#before-after .after img", "img => img.complete ? [img.naturalWidth, img.naturalHeight]"
        " : new Promise(ok => img.onload = () => ok([img.naturalWidth, img.naturalHeight]))")
    assert (width, height) == (2048, 1536)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def reported_with_pdf(flow: Flow, org: Org, rectify: Rectify) -> int:
    finding_id = raised_with_photos(flow, org)
    files = [flow.evidence(org.handler_a), flow.evidence(org.handler_a),
             store(rectify, org.handler_a, PDF, "整改方案.pdf")]
    flow.fire(finding_id, "report_rectification", org.handler_a,
              {"measures": "Exits cleared, warden named", "evidence": files})
    return finding_id


@pytest.mark.parametrize(("language", "viewport"), [("zh_CN", PHONE), ("en", DESKTOP)])
def test_the_reviewer_sees_before_and_after_in_a_lightbox(
        logins: Logins, flow: Flow, org: Org, rectify: Rectify, language: str,
        viewport: dict[str, int], shots: Callable[[Any, str], Path]) -> None:
    finding_id = reported_with_pdf(flow, org, rectify)
    prefer(rectify, org.reviewer, language)
    page = logins.page(org.reviewer.username, viewport)
    page.goto(f"{logins.url}/findings/{finding_id}?open=revisit")
    card = page.locator("#before-after")
    assert card.locator(".before a.viewer-image").count() == 2
    assert card.locator(".after a.viewer-image").count() == 2
    assert card.locator(".after .pdf-preview iframe").get_attribute("src").startswith(
        "/api/v1/attachments/")
    assert page.locator("#form-revisit .check-evidence .after .pdf-preview iframe").count() == 1
    before, after = page.evaluate("""() => ['.before', '.after'].map(s => {
        const r = document.querySelector('#before-after ' + s).getBoundingClientRect();
        return {x: r.x, y: r.y, width: r.width, height: r.height}; })""")  # at one moment
    if viewport is PHONE:  # stacked
        assert after["y"] >= before["y"] + before["height"] - 1
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    else:  # side by side
        assert after["x"] > before["x"] + before["width"] - 1 and after["y"] == before["y"]
    shots(page, f"evidence-before-after-{language}-{viewport['width']}")
    # the PDF previews (lazy iframes) load first: Chromium's PDF viewer takes the focus when
    # it loads, and a load during the keyboard checks below would race the dialog's guard
    page.wait_for_load_state("networkidle")
    first = card.locator(".before a.viewer-image").first
    first.click()
    viewer = page.locator("dialog#viewer")
    assert viewer.get_attribute("open") is not None
    assert page.evaluate("document.activeElement.closest('dialog') !== null"), \
        page.evaluate("document.activeElement.outerHTML")
    hrefs = page.eval_on_selector_all("#before-after a.viewer-image", "as => as.map(a => a.href)")
    assert hrefs[0].endswith(str(first.get_attribute("href")))
    assert page.evaluate("document.getElementById('viewer-img').src") == hrefs[0]
    assert viewer.locator(".viewer-count").text_content() == f"1 / {len(hrefs)}"
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.getElementById('viewer-img').src") == hrefs[1]
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")  # round to the last
    assert page.evaluate("document.getElementById('viewer-img').src") == hrefs[-1]
    for _ in range(4):  # Tab stays inside the dialog
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('dialog') !== null"), \
            page.evaluate("document.activeElement.outerHTML")
    shots(page, f"evidence-lightbox-{language}-{viewport['width']}")
    page.keyboard.press("Escape")
    assert viewer.get_attribute("open") is None
    assert page.evaluate("document.activeElement.href") == hrefs[0]  # focus back on the thumbnail


def test_without_javascript_the_form_posts_as_before(
        browser: Any, live_server: LiveServer, flow: Flow, org: Org,
        png: Callable[[int], bytes], tmp_path: Path) -> None:
    finding_id = raised_with_photos(flow, org)
    photo = tmp_path / "small.png"
    photo.write_bytes(png(99))
    context = browser.new_context(java_script_enabled=False, viewport=PHONE, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/login")
        page.fill("input[name=username]", org.handler_a.username)
        page.fill("input[name=password]", org.password)
        with page.expect_navigation():
            page.click("form:has(input[name=password]) button[type=submit]")
        page.goto(f"{live_server.url}/findings/{finding_id}?open=report_rectification")
        form = page.locator("#form-report_rectification")
        form.locator("textarea[name=measures]").fill("Exits cleared, warden named")
        form.locator("input[capture=environment]").set_input_files(str(photo))  # the camera's
        form.locator("#report_rectification-evidence").set_input_files(str(photo))
        with page.expect_navigation():
            form.locator("button.primary").click()
        assert page.locator(".upload-progress").count() == 0
        assert flow.finding(finding_id).state == "rectified"
        assert flow.events(finding_id)[-1].payload["evidence"] == [
            hashlib.sha256(png(99)).hexdigest()]  # the same bytes twice: one file
    finally:
        context.close()
