"""The message catalogues: complete, well-formed, compiled, and in step with the source.

The Chinese catalogue lives in ``web/translations/zh_Hans_CN``: Babel parses the app's locale
``zh_CN`` to ``zh_Hans_CN`` and Flask-Babel looks the catalogue up under that name. English is
the source language, so its catalogue may leave every msgstr empty (gettext then shows the msgid).
How to update the catalogues: web/translations/README.md.
"""

from __future__ import annotations

import gettext
import io
import re
from collections.abc import Sequence
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from web.i18n import LOCALES

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "web" / "translations"
POT = TRANSLATIONS / "messages.pot"
ZH = "zh_Hans_CN"
CATALOGUES = {code: TRANSLATIONS / code / "LC_MESSAGES" for code in (ZH, "en")}
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None}  # same as `pybabel extract -k _l`

# %(name)s and friends; "%%" is a literal percent sign, not a placeholder.
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?([diouxXeEfFgGcrsa%])")


def placeholders(text: str) -> list[str]:
    return sorted(f"{name}:{kind}" for name, kind in PLACEHOLDER.findall(text) if kind != "%")


def read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def key(message_id: str | Sequence[str], context: str | None) -> tuple[str | None, str]:
    return context, message_id if isinstance(message_id, str) else message_id[0]


def ids(catalog: Catalog) -> set[tuple[str | None, str]]:
    return {key(m.id, m.context) for m in catalog if m.id}


def strings(message_string: str | Sequence[str] | None) -> tuple[str, ...]:
    """A message's text(s): one, or one per plural form."""
    if message_string is None:
        return ("",)
    return (message_string,) if isinstance(message_string, str) else tuple(message_string)


@pytest.fixture(scope="module")
def zh() -> Catalog:
    return read(CATALOGUES[ZH] / "messages.po", ZH)


@pytest.fixture(scope="module")
def extracted() -> set[tuple[str | None, str]]:
    """A fresh extraction over babel.cfg, as `pybabel extract -F babel.cfg -k _l` does it."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f, filename=str(ROOT / "babel.cfg"))  # type: ignore[no-untyped-call]
    web = ROOT / "web"

    def only_web(dirpath: str) -> bool:
        path = Path(dirpath)  # like pybabel's default --ignore-dirs ".* _*": no hidden dirs
        return not path.name.startswith((".", "_")) and (path == web or web in path.parents)

    found = {key(message_id, context) for _file, _line, message_id, _comments, context
             in extract_from_dir(str(ROOT), method_map, options_map, keywords=KEYWORDS,
                                 directory_filter=only_web)}
    assert (None, "Log in") in found, "extraction found no template strings"
    assert (None, "Wrong username or password.") in found, "extraction found no Python strings"
    return found


def test_the_app_finds_a_catalogue_for_every_locale() -> None:
    for code in LOCALES:
        folder = TRANSLATIONS / str(Locale.parse(code)) / "LC_MESSAGES"
        assert (folder / "messages.po").is_file(), f"{code}: no catalogue at {folder}"
        assert (folder / "messages.mo").is_file(), f"{code}: catalogue not compiled in {folder}"
    chinese = Translations.load(str(TRANSLATIONS), [Locale.parse("zh_CN")], "messages")
    assert chinese.gettext("Ledger") == "台账"
    assert chinese.gettext("My work") == "我的待办"
    english = Translations.load(str(TRANSLATIONS), [Locale.parse("en")], "messages")
    assert english.gettext("Ledger") == "Ledger"


def test_every_chinese_message_is_translated(zh: Catalog) -> None:
    untranslated = [m.id for m in zh if m.id and not all(s.strip() for s in strings(m.string))]
    assert untranslated == []


def test_no_chinese_message_is_fuzzy(zh: Catalog) -> None:
    assert [m.id for m in zh if m.id and m.fuzzy] == []


def test_placeholders_match(zh: Catalog) -> None:
    wrong = []
    for m in zh:
        if not m.id:
            continue
        wanted = placeholders(strings(m.id)[-1])
        wrong += [(m.id, s) for s in strings(m.string) if placeholders(s) != wanted]
    assert wrong == []
    problems = [(m.id, [str(e) for e in errors]) for m, errors in zh.check()]
    assert problems == []


@pytest.mark.parametrize("code", sorted(CATALOGUES))
def test_catalogue_is_valid_and_compiled(code: str) -> None:
    catalog = read(CATALOGUES[code] / "messages.po", code)
    assert ids(catalog), f"{code}: empty catalogue"
    fresh = io.BytesIO()
    write_mo(fresh, catalog)
    fresh.seek(0)
    with (CATALOGUES[code] / "messages.mo").open("rb") as f:
        committed = gettext.GNUTranslations(f)
    compiled = gettext.GNUTranslations(fresh)
    messages = {k: v for k, v in compiled._catalog.items() if k != ""}  # type: ignore[attr-defined]
    stored = {k: v for k, v in committed._catalog.items() if k != ""}  # type: ignore[attr-defined]
    assert stored == messages, f"{code}: messages.mo is out of date; run pybabel compile"


def test_source_strings_are_all_in_the_template_and_catalogues(
        extracted: set[tuple[str | None, str]]) -> None:
    """A new or changed _() string must be extracted, merged and translated (README.md there)."""
    missing = {}
    for path in (POT, *(folder / "messages.po" for folder in CATALOGUES.values())):
        lacking = sorted(extracted - ids(read(path)), key=str)
        if lacking:
            missing[str(path.relative_to(ROOT))] = lacking
    assert missing == {}
