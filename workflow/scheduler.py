"""The scheduler inside one process (`rectify serve` on the embedded default): a daemon thread that
runs the ladder tick every RECTIFY_TICK_SECONDS, delivers the outbox and keeps the statistics'
tallies every few seconds, so reminders happen without cron. Production runs `rectify tick` /
`rectify worker` instead."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from workflow.delivery import deliver_due
from workflow.runtime import Rectify
from workflow.services.tick import keep_statistics_when_due, tick

log = logging.getLogger(__name__)
DELIVER_SECONDS = 5.0
TALLIES_SECONDS = 5.0  # the statistics' log moved in (services.tick.keep_statistics_when_due)


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], object]
    every: float  # seconds between the end of one pass and the start of the next


class Scheduler:
    """Runs each job at once, then every `every` seconds; a pass that raises is logged and the
    job runs again at its next turn. stop() ends the loop between passes and joins the thread."""

    def __init__(self, jobs: list[Job]) -> None:
        self.jobs = jobs
        self.passes = {job.name: 0 for job in jobs}  # passes finished, failed ones included
        self.failures = {job.name: 0 for job in jobs}
        self._stop = threading.Event()
        self._done = threading.Condition()
        self._thread = threading.Thread(target=self._loop, name="rectify-scheduler", daemon=True)

    def start(self) -> Scheduler:
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float | None = 60.0) -> bool:
        """Ask the loop to end and wait for the pass under way to finish; True once stopped."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def wait_for(self, name: str, passes: int, timeout: float) -> bool:
        """Block until job `name` has finished that many passes (or timeout): for tests."""
        with self._done:
            return self._done.wait_for(lambda: self.passes[name] >= passes, timeout)

    def _loop(self) -> None:
        due = {job.name: 0.0 for job in self.jobs}  # time.monotonic() of each job's next pass
        while not self._stop.is_set():
            for job in self.jobs:
                if self._stop.is_set():
                    break
                if time.monotonic() >= due[job.name]:
                    self._pass(job)
                    due[job.name] = time.monotonic() + job.every
            self._stop.wait(max(0.0, min(due.values()) - time.monotonic()))

    def _pass(self, job: Job) -> None:
        try:
            result = job.run()
        except Exception:  # the loop must outlive any one failing pass
            log.exception("scheduler: %s pass failed; retrying in %g s", job.name, job.every)
            self.failures[job.name] += 1
        else:
            log.debug("scheduler: %s: %s", job.name, result)
        with self._done:
            self.passes[job.name] += 1
            self._done.notify_all()


def tallies_keeper(rectify: Rectify) -> Scheduler:
    """The scheduler `rectify worker` starts beside its delivery loop: the statistics' tallies
    kept every TALLIES_SECONDS, so that hosts ticking from cron every few minutes do not leave
    the log to grow between ticks."""
    return Scheduler([Job("tallies", lambda: keep_statistics_when_due(rectify), TALLIES_SECONDS)])


def background(rectify: Rectify, tick_seconds: float | None = None,
               deliver_seconds: float = DELIVER_SECONDS) -> Scheduler:
    """The scheduler `rectify serve` starts: tick and deliver_due on this Rectify."""
    every = rectify.settings.tick_seconds if tick_seconds is None else tick_seconds
    return Scheduler([Job("tick", lambda: tick(rectify), every),
                      Job("delivery", lambda: deliver_due(rectify), deliver_seconds),
                      Job("tallies", lambda: keep_statistics_when_due(rectify), TALLIES_SECONDS)])
