"""Languages: the user's setting, else the one chosen in the switcher, else Accept-Language."""

from __future__ import annotations

from flask import Flask, request, session
from flask_babel import Babel, get_locale
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
