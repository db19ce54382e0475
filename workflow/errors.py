"""Domain errors raised by the engine; the web and CLI translate them, never the engine."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class RectifyError(Exception):
    """Base class of every error the engine raises on purpose."""


class DefinitionError(RectifyError):
    """One or more lifecycle definitions are invalid; `problems` lists every one."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class CalendarError(DefinitionError):
    """The organisation's calendar override file is invalid (refused at start like a definition)."""


class UnitKindsError(DefinitionError):
    """The unit kinds file is invalid, or units have a kind it no longer declares (refused at start)."""


class UnknownFinding(RectifyError):
    """The finding does not exist, or is outside the actor's scope (same answer on purpose)."""

    def __init__(self, finding_id: object) -> None:
        self.finding_id = finding_id
        super().__init__(f"unknown finding {finding_id!r}")


class UnknownLetter(RectifyError):
    """The letter does not exist, or the actor may not see it (same answer on purpose)."""

    def __init__(self, letter_id: object) -> None:
        self.letter_id = letter_id
        super().__init__(f"unknown letter {letter_id!r}")
class UnknownComment(UnknownFinding):
    """The finding has no comment with this seq (answered like an unknown finding: not found)."""

    def __init__(self, finding_id: object, seq: object) -> None:
        super().__init__(finding_id)
        self.seq = seq
        self.args = (f"finding {finding_id!r} has no comment #{seq!r}",)


class UnknownNotification(RectifyError):
    """The notification does not exist, or is another user's (same answer on purpose)."""

    def __init__(self, ids: object) -> None:
        self.ids = ids
        super().__init__(f"unknown notification {ids!r}")


class UnknownLifecycle(RectifyError):
    """No loaded definition has this name (and version)."""

    def __init__(self, name: str, version: int | None = None) -> None:
        self.name, self.version = name, version
        label = name if version is None else f"{name}@{version}"
        super().__init__(f"unknown lifecycle {label!r}")


class Forbidden(RectifyError):
    """The actor may not do this (missing role, or a target outside its scope); `reason`, when
    given, says why in zh and en for the user (else the answer is "your role may not")."""

    def __init__(self, text: str, reason: dict[str, str] | None = None) -> None:
        super().__init__(text)
        self.reason = reason


class TransitionNotAllowed(RectifyError):
    """The trigger does not exist from the finding's current state."""

    def __init__(self, trigger: str, state: str, allowed: Sequence[str]) -> None:
        self.trigger, self.state, self.allowed = trigger, state, list(allowed)
        allowed_text = ", ".join(self.allowed) if self.allowed else "none"
        super().__init__(
            f"'{trigger}' is not allowed from state '{state}'; allowed now: {allowed_text}"
        )


class NotInLifecycle(TransitionNotAllowed):
    """The finding's lifecycle (its version) has no transition of this name at all."""

    def __init__(self, trigger: str, state: str, lifecycle: str) -> None:
        super().__init__(trigger, state, [])
        self.lifecycle = lifecycle
        self.args = (f"'{trigger}' is not a step of {lifecycle}",)


Messages = Mapping[str, Mapping[str, str]]


class InvalidInput(RectifyError):
    """Input failed validation; `errors` maps field name to {'zh': ..., 'en': ...}."""

    def __init__(self, errors: Messages) -> None:
        self.errors: dict[str, dict[str, str]] = {k: dict(v) for k, v in errors.items()}
        super().__init__(" ".join(f"{k}: {v['en']}" for k, v in self.errors.items()))


class InvalidPayload(InvalidInput):
    """A transition's payload does not match the fields it declares."""


class GuardFailed(RectifyError):
    """A guard declared on the transition refused it; `message` has zh and en; `field` names the
    payload field it judged, when it judged one (the refusal is then that field's error)."""

    def __init__(self, guard: str, message: Mapping[str, str], field: str | None = None) -> None:
        self.guard, self.message, self.field = guard, dict(message), field
        super().__init__(f"guard {guard} refused: {self.message['en']}")


class StaleFinding(RectifyError):
    """Someone changed the finding since the actor loaded it (version mismatch)."""

    def __init__(self, finding_id: object, expected: int | None, actual: int | None) -> None:
        self.finding_id, self.expected, self.actual = finding_id, expected, actual
        super().__init__(
            f"finding {finding_id} changed: expected version {expected}, now {actual}"
        )


class StaleUnitTree(RectifyError):
    """The unit tree changed between a move's preview and its confirmation; `message` says so
    in zh and en (the admin previews again)."""

    def __init__(self, unit_code: str) -> None:
        self.message = {"zh": f"预览之后单位树已有变化（{unit_code}）：请重新预览再确认。",
                        "en": f"The unit tree changed since the preview ({unit_code}): "
                              "preview the move again, then confirm."}
        super().__init__(self.message["en"])


class UploadRejected(InvalidInput):
    """An uploaded file was refused (size, type)."""


class EvidenceCorrupt(RectifyError):
    """A stored evidence file is missing or its bytes no longer match its sha256."""

    def __init__(self, sha256: str, problem: str) -> None:
        self.sha256, self.problem = sha256, problem
        super().__init__(f"evidence file {sha256}: {problem}")


class DocumentTemplateError(RectifyError):
    """A document template (an organisation's replacement, usually) cannot be filled: `name` is
    its file name, `problem` what is wrong; `message` says both in zh and en."""

    def __init__(self, name: str, problem: str) -> None:
        self.name, self.problem = name, problem
        self.message = {"zh": f"文书模板 {name} 无法使用：{problem}。",
                        "en": f"The document template {name} cannot be used: {problem}."}
        super().__init__(self.message["en"])


class DocumentUnavailable(RectifyError):
    """This document does not exist for the record in its current state (e.g. a closure
    confirmation of a finding not yet closed); `message` says why in zh and en."""

    def __init__(self, message: dict[str, str]) -> None:
        self.message = message
        super().__init__(message["en"])
class UnknownLink(UnknownFinding):
    """The link between findings does not exist on that finding, or the actor may not see both
    ends (answered like an unknown finding)."""

    def __init__(self, link_id: object) -> None:
        super().__init__(link_id)
        self.link_id = link_id
        self.args = (f"unknown link {link_id!r}",)
