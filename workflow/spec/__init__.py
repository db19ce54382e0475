"""Lifecycle definitions: load YAML, validate, freeze into spec objects, draw diagrams."""

from workflow.spec.loader import load_file, load_paths, load_registry
from workflow.spec.model import (
    ROLES,
    Choice,
    FieldSpec,
    Lifecycle,
    Registry,
    Rule,
    StateSpec,
    TransitionSpec,
)

__all__ = [
    "ROLES",
    "Choice",
    "FieldSpec",
    "Lifecycle",
    "Registry",
    "Rule",
    "StateSpec",
    "TransitionSpec",
    "load_file",
    "load_paths",
    "load_registry",
]
