"""Languages: the user's setting, else the one chosen in the switcher, else Accept-Language."""

from __future__ import annotations

from babel import Locale
from babel.support import NullTranslations
from flask import Flask, request, session
from flask_babel import Babel, get_locale, get_translations
from flask_login import current_user

LOCALES = ("zh_CN", "en")
babel = Babel()


def select_locale() -> str:
    chosen = session.get("lang")
    if chosen in LOCALES:
        return str(chosen)
    if current_user and current_user.is_authenticated:
        return str(current_user.user.language)
    return request.accept_languages.best_match(["zh_CN", "zh", "en"], default="zh_CN").replace(
        "zh", "zh_CN").replace("zh_CN_CN", "zh_CN")


def lang() -> str:
    """'zh' or 'en': which label of a definition or vocabulary to show."""
    return "zh" if str(get_locale()).startswith("zh") else "en"


def message(pair: dict[str, str]) -> str:
    """Pick the current language from an engine message {'zh': ..., 'en': ...}."""
    return pair["zh"] if lang() == "zh" else pair["en"]


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(lang=lang, LOCALES=LOCALES)
    _templates_find_catalogues_once(app)


def _templates_find_catalogues_once(app: Flask) -> None:
    """The templates' _() and ngettext with each locale's catalogue looked up once per app:
    flask_babel looks it up on every call (~5 µs), and a table's rows make hundreds of them."""
    catalogues: dict[Locale | None, NullTranslations] = {}

    def catalogue() -> NullTranslations:
        locale = get_locale()
        found = catalogues.get(locale)
        if found is None:
            found = catalogues[locale] = get_translations()
        return found

    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: catalogue().ugettext(s),
        ngettext=lambda s, p, n: catalogue().ungettext(s, p, n),
        pgettext=lambda c, s: catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: catalogue().unpgettext(c, s, p, n),
        newstyle=True)
