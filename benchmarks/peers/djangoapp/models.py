"""The Django peers' rows: django-fsm-2 (+ django-fsm-log's StateLog) and viewflow.fsm (+ a history row)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_fsm_log.decorators import fsm_log_by
from viewflow import fsm

ASSIGNED, REQUESTED = "assigned", "extension_requested"


class FsmDoc(ConcurrentTransitionMixin, models.Model):
    """django-fsm-2: the state field guarded by @transition; saving checks the state it was loaded in."""

    state = FSMField(default=ASSIGNED)

    @fsm_log_by
    @transition(field=state, source=ASSIGNED, target=REQUESTED)
    def request_extension(self, by: Any = None) -> None:
        pass

    @fsm_log_by
    @transition(field=state, source=REQUESTED, target=ASSIGNED)
    def deny_extension(self, by: Any = None) -> None:
        pass


class ViewflowDoc(models.Model):
    state = models.CharField(max_length=40, default=ASSIGNED)


class ViewflowHistory(models.Model):
    doc = models.ForeignKey(ViewflowDoc, on_delete=models.CASCADE)
    transition = models.CharField(max_length=40)
    source = models.CharField(max_length=40)
    target = models.CharField(max_length=40)
    actor_id = models.IntegerField()
    at = models.DateTimeField(auto_now_add=True)


class DocFlow:
    """viewflow.fsm's way: a flow class over the model; the row is saved and its history row written
    when a transition succeeds."""

    state = fsm.State([ASSIGNED, REQUESTED], default=ASSIGNED)

    def __init__(self, doc: ViewflowDoc, actor_id: int) -> None:
        self.doc, self.actor_id = doc, actor_id

    @state.getter()
    def _get_state(self) -> str:
        return self.doc.state

    @state.setter()
    def _set_state(self, value: str) -> None:
        self.doc.state = value

    @state.on_success()
    def _on_success(self, descriptor: Any, source: str, target: str, **_: Any) -> None:
        self.doc.save()
        ViewflowHistory.objects.create(doc=self.doc, transition=descriptor.label, source=source,
                                       target=target, actor_id=self.actor_id)

    @state.transition(source=ASSIGNED, target=REQUESTED)
    def request_extension(self) -> None:
        pass

    @state.transition(source=REQUESTED, target=ASSIGNED)
    def deny_extension(self) -> None:
        pass
