"""The Flask extensions, created unbound and initialised by create_app."""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_smorest import Api
from flask_wtf import CSRFProtect

csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
api = Api()


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
