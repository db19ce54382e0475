"""The lifecycles page speaks to each role: what states mean, what the viewer can do first, and
the engine's names (triggers, guards, effects, hashes, files) only to admins."""

from __future__ import annotations

import html as html_module
import re
from pathlib import Path

from tests.webapp.web_support import text_of
from workflow.guide import GUARD_WORDS, STATE_MEANINGS


def page_as(browser, username: str, lang: str) -> str:
    user = browser(username)
    user.post("/language", data={"lang": lang, "next": "/"})
    return html_module.unescape(text_of(user.get("/lifecycles")))


def section(page: str, key: str) -> str:
    match = re.search(rf'<section class="card" id="{key}">(.*?)</section>', page, re.S)
    assert match, key
    return match.group(1)


def table(part: str, css: str) -> str:
    match = re.search(rf'<table class="plain stack {css}">(.*?)</table>', part, re.S)
    assert match, css
    return match.group(1)


def engine_names(registry) -> set[str]:
    names: set[str] = set()
    for lc in registry.all():
        names |= {lc.digest[:12], Path(lc.source).name}
        for t in lc.transitions:
            names |= {f"<code>{t.trigger}</code>"}
            names |= {f"<code>{rule.name}</code>" for rule in (*t.guards, *t.effects)}
    return names


def test_inspectors_see_no_engine_names_admins_see_them_all(browser, registry):
    inspector, admin = page_as(browser, "inspector", "en"), page_as(browser, "admin", "en")
    names = engine_names(registry)
    assert [name for name in names if name in inspector] == []
    assert [name for name in names if name not in admin] == []
    assert "<code>actor_did_not_fire</code>" in admin and "actor_did_not_fire" not in inspector


def test_the_viewers_own_actions_come_first_with_what_they_require(browser, registry):
    for lang, index in (("en", "en"), ("zh_CN", "zh")):
        page = page_as(browser, "reviewer", lang)
        lc = registry.get("standard", 1)
        part = section(page, "standard-1")
        yours, others = table(part, "yours"), table(part, "others")
        assert part.index("yours") < part.index("others")
        for t in lc.transitions:
            label = f"<strong>{t.label(index)}</strong>"
            assert (label in yours) == ("reviewer" in t.roles), t.trigger
            assert (label in others) == ("reviewer" not in t.roles), t.trigger
        label = re.escape(lc.transition("revisited", "confirm").label(index))
        confirm = re.search(rf"<strong>{label}</strong>.*?</tr>", yours, re.S)
        assert confirm and GUARD_WORDS["actor_did_not_fire"][index == "en"] in confirm.group(0)


def test_every_state_says_what_it_means_in_both_languages(browser, registry):
    for lang, index in (("en", 1), ("zh_CN", 0)):
        page = page_as(browser, "handler_a", lang)
        for lc in registry.all():
            part = section(page, f"{lc.name}-{lc.version}")
            for state in lc.states:
                assert STATE_MEANINGS[state.name][index] in part, (lc.key, state.name)


def test_a_role_without_steps_is_told_so(browser, registry):
    page = page_as(browser, "admin", "en")
    assert "Your roles take no step in this lifecycle" in section(page, "standard-1")
    assert '<table class="plain stack yours">' not in section(page, "standard-1")
