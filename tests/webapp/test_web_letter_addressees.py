"""A letter's addressees through the page: a several-unit picker (chips with a Remove button,
hidden `addressees` inputs) that lists no units itself, the offer it asks for being the rule
the letter is checked by, codes typed without script, and the choice kept on a refused send."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select, update
from web_support import add_sites, picker_offers, picker_url, text_of, ui

from workflow.models import Letter, Unit

NEW = "/letters/new"
FORM = {"subject": "关于协调用工的提醒函", "text": "请于期限内回复。", "kind": "reminder"}


def chips(html: str) -> list[str]:
    """The ids the page carries as chosen addressees (a chip's hidden input each)."""
    return re.findall(r'<li class="unit-chip"><input type="hidden" name="addressees" value="(\d+)">',
                      html)


def addressed(rectify: Any) -> list[str]:
    with rectify.unit_of_work(write=False) as uow:
        letters = list(uow.session.scalars(select(Letter)))
        return [a.unit.code for letter in letters for a in letter.addressees]


def test_the_form_lists_no_units_and_its_picker_offers_what_a_letter_may_address(
        app: Any, browser: Any, rectify: Any, org: Any) -> None:
    add_sites(rectify, org.group_b.id, 30)
    with rectify.unit_of_work() as uow:
        uow.session.execute(update(Unit).where(Unit.code == "SITE-000").values(active=False))
        uow.commit()
        every_active = set(uow.session.scalars(select(Unit.id).where(Unit.active.is_(True))))
    client = browser("inspector")
    html = text_of(client.get(NEW))
    assert "<optgroup" not in html and html.count("<option") == 3  # the letter kinds only
    assert "站点" not in html and "乙一公司" not in html and chips(html) == []
    url = picker_url(html, "addressees")
    assert "purpose=letter" in url
    # the picker offers every active unit but the inspector's own body, which is what sends
    assert picker_offers(client, url) == every_active - {org.inspection_body.id}
    assert ui(app, "Type unit codes, separated by commas or spaces") in html


def test_several_addressees_are_posted_and_stored_in_order(browser: Any, rectify: Any,
                                                           org: Any) -> None:
    sent = browser("inspector").post(NEW, data={**FORM, "addressees": [
        str(org.sub_b1.id), str(org.group_a.id), str(org.commission.id)]})
    assert sent.status_code == 302, text_of(sent)
    assert addressed(rectify) == ["GB-1", "GA", "COMM"]


def test_without_script_codes_are_typed_beside_the_chosen_ones(browser: Any, rectify: Any,
                                                                org: Any) -> None:
    sent = browser("inspector").post(NEW, data={
        **FORM, "addressees": [str(org.group_a.id)], "addressees__codes": " GB-1，GA-2、 GA GB "})
    assert sent.status_code == 302, text_of(sent)
    assert addressed(rectify) == ["GA", "GB-1", "GA-2", "GB"]


def test_an_unknown_or_refused_code_is_named_and_the_choice_is_kept(
        app: Any, browser: Any, rectify: Any, org: Any) -> None:
    client = browser("inspector")
    unknown = client.post(NEW, data={**FORM, "addressees": [str(org.group_a.id)],
                                     "addressees__codes": "GB NO-SUCH"})
    html = text_of(unknown)
    assert unknown.status_code == 422 and "没有这个单位：NO-SUCH" in html
    assert chips(html) == [str(org.group_a.id), str(org.group_b.id)]
    assert 'name="addressees__codes" value="NO-SUCH"' in html
    assert ui(app, "Remove %(name)s", name="甲集团") in html
    own = text_of(client.post(NEW, data={**FORM, "addressees__codes": "IB"}))
    assert "不能向本单位（发文单位 IB）发函" in own and chips(own) == []
    with rectify.unit_of_work() as uow:
        uow.session.execute(update(Unit).where(Unit.id == org.group_b.id).values(active=False))
        uow.commit()
    off = text_of(client.post(NEW, data={**FORM, "addressees__codes": "GA GB"}))
    assert "单位 GB 已停用，不能作为收文单位" in off and chips(off) == [str(org.group_a.id)]
    assert addressed(rectify) == []


def test_a_chips_remove_button_without_script_drops_that_one_and_sends_nothing(
        browser: Any, rectify: Any, org: Any) -> None:
    page = browser("inspector").post(NEW, data={
        **FORM, "addressees": [str(org.group_a.id), str(org.group_b.id)],
        "addressees__remove": str(org.group_a.id)})
    html = text_of(page)
    assert page.status_code == 200 and chips(html) == [str(org.group_b.id)]
    assert "关于协调用工的提醒函" in html and addressed(rectify) == []
