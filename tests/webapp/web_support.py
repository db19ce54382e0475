"""Helpers for the web tests: building the app, logging in, the JSON API as a given user (bearer
tokens issued directly, no password hashing), the one error format, and a Driver that raises
findings and fires transitions through the API with payloads generated from the definitions."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from io import BytesIO
from itertools import count
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, encode_multipart

from web import create_app
from workflow.models import Unit, User
from workflow.runtime import Rectify
from workflow.services.directory import create_unit
from workflow.services.tokens import issue_token
from workflow.spec.model import Lifecycle, TransitionSpec

PASSWORD = "correct-horse-battery"  # the shared Org's password (tests/conftest.py)
_seeds = count(10_000)  # every PNG the Driver uploads is distinct bytes, whoever uploads it


def build_app(rectify: Rectify, **config: Any) -> Flask:
    settings: dict[str, Any] = {"RECTIFY": rectify, "TESTING": True, "RATELIMIT_ENABLED": False,
                                "WTF_CSRF_ENABLED": False}
    settings.update(config)
    return create_app(settings)


def login(client: FlaskClient, username: str, password: str = PASSWORD,
          **extra: str) -> TestResponse:
    return client.post("/login", data={"username": username, "password": password, **extra})


def csrf_token_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def ui(app: Flask, message: str, locale: str = "zh_CN", **variables: Any) -> str:
    """A UI string as the app shows it in locale (zh_CN is the default language)."""
    with app.test_request_context(), force_locale(locale):
        return str(gettext(message, **variables))


def text_of(response: TestResponse) -> str:
    return response.get_data(as_text=True)


def zh_day(day: date | str) -> str:
    """A date as a Chinese page shows it (2026年3月2日), written out here, not by Babel."""
    day = date.fromisoformat(day) if isinstance(day, str) else day
    return f"{day.year}年{day.month}月{day.day}日"


# --- the JSON API as a given user ------------------------------------------------------------


class Api:
    """JSON calls with a bearer token per user; `as_` is the ORM user (or a username)."""

    def __init__(self, app: Flask, rectify: Rectify, org: Any) -> None:
        self.app, self.rectify, self.org = app, rectify, org
        self.client = app.test_client()
        self._tokens: dict[int, str] = {}

    def user(self, who: Any) -> Any:
        return self.org.users[who] if isinstance(who, str) else who

    def token(self, who: Any) -> str:
        user = self.user(who)
        if user.id not in self._tokens:
            with self.rectify.unit_of_work() as uow:
                self._tokens[user.id] = issue_token(uow, user, "tests")
        return self._tokens[user.id]

    def user_by_id(self, user_id: int) -> User:
        """A user created during the test (e.g. through the API), loaded and detached."""
        with self.rectify.unit_of_work(write=False) as uow:
            user = uow.session.get(User, user_id)
            assert user is not None
            uow.session.expunge(user)
            return user

    def fresh_token(self, who: Any) -> str:
        """A new token for the user, not cached (for calls that revoke their own token)."""
        user = self.user(who)
        with self.rectify.unit_of_work() as uow:
            token = issue_token(uow, user, "tests")
        return token

    def headers(self, who: Any, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(who)}", **extra}

    def call(self, method: str, path: str, as_: Any, headers: dict[str, str] | None = None,
             **kwargs: Any) -> TestResponse:
        return self.client.open(path, method=method, headers={**self.headers(as_), **(headers or {})},
                                **kwargs)

    def get(self, path: str, as_: Any, **kwargs: Any) -> TestResponse:
        return self.call("GET", path, as_, **kwargs)

    def post(self, path: str, as_: Any, **kwargs: Any) -> TestResponse:
        return self.call("POST", path, as_, **kwargs)

    def patch(self, path: str, as_: Any, **kwargs: Any) -> TestResponse:
        return self.call("PATCH", path, as_, **kwargs)

    def upload(self, as_: Any, data: bytes, name: str = "photo.png") -> TestResponse:
        # Encoded in memory: the test client would spool a large body to a temporary file
        # that it never closes (a ResourceWarning, an error here).
        boundary, body = encode_multipart(
            {"file": FileStorage(BytesIO(data), filename=name, content_type="image/png")})
        return self.post("/api/v1/attachments", as_, data=body,
                         content_type=f"multipart/form-data; boundary={boundary}")


def assert_error(response: TestResponse, status: int) -> dict[str, Any]:
    """The one error format: {code, status, message[, errors][, allowed]} with this status."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.is_json, response.get_data(as_text=True)
    body: dict[str, Any] = response.get_json()
    assert body["code"] == status
    assert isinstance(body["status"], str) and body["status"]
    assert isinstance(body["message"], str) and body["message"]
    assert set(body) <= {"code", "status", "message", "errors", "allowed"}, body
    if "errors" in body:
        assert body["errors"] and all(isinstance(k, str) and isinstance(v, str) and v
                                      for k, v in body["errors"].items()), body
    return body


# --- driving findings through the API, payloads generated from the definitions --------------


class Driver:
    """Raise findings and fire transitions via the API with payloads built from the fields the
    definition declares (and the guards it names), as users who each hold exactly one role."""

    def __init__(self, api: Api, rectify: Rectify, org: Any, png: Callable[[int], bytes]) -> None:
        self.api, self.rectify, self.org, self.png = api, rectify, org, png
        self.by_role = {"inspector": org.inspector, "handler": org.handler_a,
                        "reviewer": org.reviewer, "supervisor": org.supervisor, "admin": org.admin}
        self._units: dict[int, list[dict[str, Any]]] = {}
        self._files: dict[int, list[str]] = {}

    def lifecycle(self, name: str, version: int | None = None) -> Lifecycle:
        return self.rectify.registry.get(name, version)

    def today(self) -> date:
        """Today as the engine sees it (its clock, in its zone): what date limits are relative to."""
        return self.rectify.clock().astimezone(self.rectify.zone).date()

    def raise_(self, lifecycle: str = "standard", by: Any = None, **data: Any) -> dict[str, Any]:
        body = {"lifecycle": lifecycle, "title": "Fire exit blocked by boxes",
                "category": "work_safety", "severity": "medium", "unit": self.org.group_a.id}
        body.update(data)
        response = self.api.post("/api/v1/findings", by or self.org.inspector, json=body)
        assert response.status_code == 201, response.get_json()
        return dict(response.get_json())

    def finding(self, finding_id: int, as_: Any = None) -> dict[str, Any]:
        response = self.api.get(f"/api/v1/findings/{finding_id}", as_ or self.org.admin)
        assert response.status_code == 200, response.get_json()
        return dict(response.get_json())

    def events(self, finding_id: int, as_: Any = None) -> list[dict[str, Any]]:
        response = self.api.get(f"/api/v1/findings/{finding_id}/events", as_ or self.org.admin)
        assert response.status_code == 200, response.get_json()
        return list(response.get_json())

    def units_in_scope(self, user: Any) -> list[dict[str, Any]]:
        if user.id not in self._units:
            response = self.api.get("/api/v1/units", user)
            assert response.status_code == 200
            self._units[user.id] = list(response.get_json())
        return self._units[user.id]

    def strictly_below(self, user: Any, unit_id: int) -> set[int]:
        """Ids of the units under unit_id (not itself), among those the user sees."""
        children: dict[int | None, list[int]] = {}
        for unit in self.units_in_scope(user):
            children.setdefault(unit["parent_id"], []).append(unit["id"])
        out, todo = set(), list(children.get(unit_id, []))
        while todo:
            current = todo.pop()
            out.add(current)
            todo.extend(children.get(current, []))
        return out

    def files(self, user: Any, how_many: int) -> list[str]:
        pool = self._files.setdefault(user.id, [])
        while len(pool) < how_many:
            response = self.api.upload(user, self.png(next(_seeds)), "evidence.png")
            assert response.status_code == 201, response.get_json()
            pool.append(response.get_json()["sha256"])
        return pool[:how_many]

    def payload(self, finding: dict[str, Any], spec: TransitionSpec, actor: Any) -> dict[str, Any]:
        """A valid payload for spec on this finding (as the API shows it now), for this actor."""
        today = self.today()
        guarded = {(g.name, g.params.get("field")) for g in spec.guards}
        out: dict[str, Any] = {}
        for field in spec.fields:
            if field.type == "text":
                wanted = max(field.min_length or 0, 24)
                length = min(wanted, field.max_length) if field.max_length else wanted
                text = f"Checked {field.name}:" + " all in order" * (length // 13 + 1)
                out[field.name] = text[:length - 1] + "."
            elif field.type == "date":
                low = field.min_days if field.min_days is not None else -366
                high = field.max_days if field.max_days is not None else 366
                offset = min(max(14, low), high)
                if ("date_after_due_date", field.name) in guarded and finding["due_date"]:
                    due = date.fromisoformat(finding["due_date"])
                    offset = max(low, (due - today).days + 1)
                    assert offset <= high, f"no valid {field.name} after {due}"
                out[field.name] = (today + timedelta(days=offset)).isoformat()
            elif field.type == "choice":
                out[field.name] = field.choices[0].value
            elif field.type == "number":
                value = field.minimum if field.minimum is not None else 0
                value = min(value, field.maximum) if field.maximum is not None else value
                out[field.name] = int(value) if field.integer else value
            elif field.type == "unit":
                units = self.units_in_scope(self.org.admin if field.unit_scope == "all" else actor)
                if ("unit_above_finding", field.name) in guarded:  # the supervisor's body first
                    paths = {u.id: u.path for u in self.org.units.values()}
                    below = paths[finding["unit"]["id"]]
                    units = sorted((u for u in units if below.startswith(paths[u["id"]])
                                    and below != paths[u["id"]]), key=lambda u: len(paths[u["id"]]))
                if ("not_a_party_yet", field.name) in guarded:
                    taken = {p["unit"]["id"] for p in self.finding(finding["id"])["parties"]
                             if p["role"] == "co_responsible"} | {finding["unit"]["id"]}
                    units = [u for u in units if u["id"] not in taken]
                if ("unit_differs", field.name) in guarded:
                    units = [u for u in units if u["id"] != finding["unit"]["id"]]
                if guarded & {("unit_not_the_actors", field.name),  # v1's name, v2's
                              ("unit_below_raising_body", field.name)}:
                    below = self.strictly_below(actor, finding["raised_by_unit"]["id"])
                    units = [u for u in units if u["id"] != actor.unit_id and u["id"] in below]
                out[field.name] = units[0]["id"]
            elif field.type == "files":
                wanted = max(field.min_count, 1)
                out[field.name] = self.files(actor, min(wanted, field.max_count or wanted))
            else:  # pragma: no cover - a new field type needs a generator here
                raise AssertionError(f"no payload generator for field type {field.type}")
        return out

    def spec(self, lifecycle: Lifecycle, trigger: str, state: str | None = None) -> TransitionSpec:
        """The transition for trigger (from state if given and possible, else any)."""
        found = lifecycle.transition(state, trigger) if state else None
        return found or next(t for t in lifecycle.transitions if t.trigger == trigger)

    def actor_for(self, finding: dict[str, Any], spec: TransitionSpec) -> Any:
        """A single-role user allowed to fire spec on the finding whom its guards accept (and,
        on the inspecting side, from a unit other than the finding's)."""
        barred = set()
        for guard in spec.guards:
            if guard.name == "actor_did_not_fire":
                barred |= {e["actor"]["id"] for e in self.events(finding["id"])
                           if e["trigger"] == guard.params["trigger"]}
        for role in ("inspector", "reviewer", "supervisor", "handler"):
            user = self.by_role[role]
            if role in spec.roles and user.id not in barred and self.takes_side(spec, user,
                                                                                finding):
                return user
        raise AssertionError(f"nobody may fire {spec.trigger}")

    def takes_side(self, spec: TransitionSpec, user: Any, finding: dict[str, Any]) -> bool:
        """The definition's sides, read from the data alone: inspecting steps are for the
        raising body (the driver raises as the inspector at the inspection body) or one above
        it, never the finding's own unit, and only on findings of the user's subtree;
        responsible steps never for the raising body or one above it; a party side only for
        a member of that party unit (the finding's parties as the API shows them)."""
        unit = next(u for u in self.org.units.values() if u.id == finding["unit"]["id"])
        above_raiser = self.org.inspector.unit.path.startswith(user.unit.path)  # it raised
        own = unit.path.startswith(user.unit.path)
        parties = None
        for side in spec.sides:
            if side == "responsible" and own and not above_raiser:
                return True
            if side == "inspecting" and own and above_raiser and user.unit_id != unit.id:
                return True
            if side not in ("responsible", "inspecting"):
                parties = parties if parties is not None else self.finding(finding["id"])["parties"]
                if any(p["role"] == side and p["unit"]["id"] == user.unit_id for p in parties):
                    return True
        return False

    def fire(self, finding_id: int, trigger: str, actor: Any = None,
             payload: dict[str, Any] | None = None, version: int | None = None,
             use_if_match: bool = True, current: dict[str, Any] | None = None) -> TestResponse:
        """POST the transition; payload generated unless given; version: the current one.

        `current` is the finding as last read (saves a GET when the caller has it)."""
        current = current or self.finding(finding_id)
        lifecycle = self.lifecycle(current["lifecycle"], current["lifecycle_version"])
        spec = self.spec(lifecycle, trigger, current["state"])
        actor = actor or self.actor_for(current, spec)
        if payload is None:
            payload = self.payload(current, spec, actor)
        version = current["version"] if version is None else version
        url = f"/api/v1/findings/{finding_id}/transitions/{trigger}"
        if use_if_match:
            return self.api.post(url, actor, json={"payload": payload},
                                 headers={"If-Match": f'"{version}"'})
        return self.api.post(url, actor, json={"version": version, "payload": payload})

    def drive(self, finding_id: int, *triggers: str,
              current: dict[str, Any] | None = None) -> dict[str, Any]:
        """Fire each trigger in turn (defaults); returns the finding as the last answer shows it."""
        current = current or self.finding(finding_id)
        for trigger in triggers:
            response = self.fire(finding_id, trigger, current=current)
            assert response.status_code == 200, (trigger, response.get_json())
            current = dict(response.get_json())
        return current

    @staticmethod
    def path_to(lifecycle: Lifecycle, state: str) -> list[str]:
        """Triggers of a shortest path from the initial state to state (breadth first)."""
        assert lifecycle.has_state(state), f"{lifecycle.key}: no state {state}"
        return list(lifecycle.path_to(state))

    def bring_to(self, lifecycle: str, state: str, due_lookback: bool = True,
                 **data: Any) -> dict[str, Any]:
        """A fresh finding of lifecycle (at group_a), driven by the API into state; a look-back
        it schedules is made due by moving the clock to its day (unless due_lookback=False)."""
        spec = self.lifecycle(lifecycle)
        raiser = self.org.inspector if "inspector" in spec.raise_roles else self.org.supervisor
        finding = self.raise_(lifecycle, by=raiser, **data)
        finding = self.drive(finding["id"], *self.path_to(spec, state), current=finding)
        assert finding["state"] == state
        lookback = finding.get("lookback_due_date")
        if due_lookback and lookback and date.fromisoformat(lookback) > self.today():
            days = (date.fromisoformat(lookback) - self.today()).days
            self.rectify.clock.advance(days=days)  # type: ignore[attr-defined]
        return finding


# --- the unit picker (partials/unit_picker.html) ---------------------------------------------


def picker_url(html: str, box_id: str) -> str:
    """The JSON address of the unit picker whose text box has this id."""
    found = re.search(r'<span class="unit-picker" data-url="([^"]+)"(?:(?!</span>).)*?'
                      rf'<input type="text" id="{re.escape(box_id)}"', html, re.S)
    assert found, f"no unit picker {box_id!r} in the page"
    return found.group(1).replace("&amp;", "&")


def picked_id(html: str, name: str) -> str:
    """The unit id a picker named `name` carries (its hidden input)."""
    found = re.search(rf'<input type="hidden" name="{re.escape(name)}" value="([^"]*)">', html)
    assert found, f"no unit picker {name!r} in the page"
    return found.group(1)


def picker_offers(client: FlaskClient, url: str) -> set[int]:
    """Every unit a picker lets one pick, found by opening the tree from its top."""
    offered: set[int] = set()
    to_open: list[str] = [""]
    while to_open:
        target = to_open.pop()
        response = client.get(f"{url}&parent={target}")
        assert response.status_code == 200, text_of(response)
        for unit in response.get_json()["units"]:
            if unit["selectable"]:
                offered.add(unit["id"])
            if unit["has_children"]:
                to_open.append(str(unit["id"]))
        more = response.get_json()["next_offset"]
        if more is not None:  # the rest of these children: opened again from there
            to_open.append(f"{target.split('&')[0]}&offset={more}")
    return offered


def add_sites(rectify: Rectify, parent_id: int, count: int) -> list[int]:
    """`count` sites (SITE-000..., 站点0号...) under a unit, committed; their ids."""
    with rectify.unit_of_work() as uow:
        parent = uow.session.get_one(Unit, parent_id)
        sites = [create_unit(uow.session, f"SITE-{n:03}", f"站点{n}号", f"Site {n}", "site", parent)
                 for n in range(count)]
        uow.commit()
        return [site.id for site in sites]
