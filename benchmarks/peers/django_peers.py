"""The Django peers on the run's database: settings configured here, tables made by migrate (in the
SQLite file, or the run's PostgreSQL schema, dropped with it); one atomic block per transition."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from sqlalchemy import make_url

from benchmarks.peers.common import Counted, triggers
from benchmarks.world import Target

ALIAS = "peers"  # every Django query of the benchmark goes here (see Router)
APP = "benchmarks.peers.djangoapp"


class Router:
    """Send every read, write and migration to the benchmark's connection."""

    def db_for_read(self, *_: Any, **__: Any) -> str:
        return ALIAS

    db_for_write = db_for_read

    def allow_migrate(self, db: str, *_: Any, **__: Any) -> bool:
        return db == ALIAS


def setup() -> None:
    """Configure Django once per process (a dummy default database; ALIAS is added per target)."""
    import django
    from django.conf import settings

    if settings.configured:
        return
    settings.configure(
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "django_fsm_log", APP],
        DATABASES={}, DATABASE_ROUTERS=[f"{__name__}.Router"], USE_TZ=True, TIME_ZONE="UTC",
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField", LOGGING_CONFIG=None)
    django.setup()


def database(target: Target) -> dict[str, Any]:
    """Django's settings for the target: same file and pragmas, or same server, schema and options."""
    url = make_url(target.url)
    if url.get_backend_name() == "sqlite":
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": url.database,
                "OPTIONS": {"transaction_mode": "IMMEDIATE",
                            "init_command": "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000"}}
    return {"ENGINE": "django.db.backends.postgresql", "NAME": url.database, "USER": url.username or "",
            "PASSWORD": url.password or "", "HOST": url.host or "", "PORT": str(url.port or ""),
            "OPTIONS": {"options": url.query["options"]}}


@contextmanager
def connected(target: Target) -> Iterator[None]:
    """ALIAS pointed at the target, its tables migrated; the connection closed on leaving."""
    setup()
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connections

    dummy = {"ENGINE": "django.db.backends.dummy"}
    connections.settings[ALIAS] = connections.configure_settings(
        {"default": dummy, ALIAS: database(target)})[ALIAS]
    with suppress(AttributeError):  # a connection left from an earlier target: forget it
        del connections[ALIAS]
    ContentType.objects.clear_cache()
    call_command("migrate", database=ALIAS, run_syncdb=True, verbosity=0, skip_checks=True)
    try:
        yield
    finally:
        connections[ALIAS].close()


class FsmLogged(Counted):
    """django-fsm-2 + django-fsm-log: get, call the transition (django-fsm checks the source; the
    log's receiver INSERTs a StateLog), save (UPDATE … WHERE state = the loaded one), commit."""

    def __init__(self, actor: Any) -> None:
        from benchmarks.peers.djangoapp.models import FsmDoc

        doc = FsmDoc.objects.create()
        kind = "SELECT id FROM django_content_type WHERE app_label = 'djangoapp' AND model = 'fsmdoc'"
        super().__init__("django-fsm-2", doc.pk, "SELECT state FROM djangoapp_fsmdoc WHERE id = ?",
                         f"SELECT COUNT(*) FROM django_fsm_log_statelog WHERE object_id = ? "
                         f"AND content_type_id = ({kind})")
        self.actor, self.next, self.model = actor, triggers().__next__, FsmDoc

    def __call__(self) -> None:
        from django.db import transaction

        with transaction.atomic(using=ALIAS):
            doc = self.model.objects.get(pk=self.doc_id)
            getattr(doc, self.next())(by=self.actor)
            doc.save()
        self.done(doc.state)


class ViewflowFsm(Counted):
    """viewflow.fsm: get, the flow's transition (viewflow checks the source), on success save and
    create the history row, commit."""

    def __init__(self, actor_id: int) -> None:
        from benchmarks.peers.djangoapp import models

        doc = models.ViewflowDoc.objects.create()
        super().__init__("viewflow.fsm", doc.pk, "SELECT state FROM djangoapp_viewflowdoc WHERE id = ?",
                         "SELECT COUNT(*) FROM djangoapp_viewflowhistory WHERE doc_id = ?")
        self.actor_id, self.next, self.models = actor_id, triggers().__next__, models

    def __call__(self) -> None:
        from django.db import transaction

        with transaction.atomic(using=ALIAS):
            doc = self.models.ViewflowDoc.objects.get(pk=self.doc_id)
            getattr(self.models.DocFlow(doc, self.actor_id), self.next())()
        self.done(doc.state)


def cases() -> dict[str, Counted]:
    """The two Django peers, each on a row of its own (call inside connected())."""
    from django.contrib.auth.models import User

    actor = User.objects.create(username="handler")
    return {"viewflow.fsm + a history row": ViewflowFsm(actor.pk),
            "django-fsm-2 + django-fsm-log": FsmLogged(actor)}
