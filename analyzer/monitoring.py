"""Where SES sending events go: which event destinations publish bounces
and complaints, and which configuration set a value names."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from analyzer.model import EventDestination, Resource, Unknown, has_marker, unknowns_in

FEEDBACK_EVENTS = ("bounce", "complaint")


def names(value: Any, resource: Resource, name: Any, others: list) -> Optional[bool]:
    """Whether ``value`` names ``resource`` (whose name is ``name``): by
    equal names, or by a reference to it; False when it names another of
    the resources ``others`` by reference, or both names are known and
    differ; None when an unknown value leaves it open."""
    if _references(value, resource) or value == name and value is not None:
        return True
    if any(_references(value, other) for other in others if other is not resource):
        return False
    if _open(value) or _open(name):
        return None
    return False


def _references(value: Any, resource: Resource) -> bool:
    return isinstance(value, Unknown) and (value.ref == resource.address
                                           or value.ref.startswith(resource.address + "."))


def _open(value: Any) -> bool:
    return isinstance(value, Unknown) or isinstance(value, str) and has_marker(value)


def publishes_feedback(destination: EventDestination) -> Optional[bool]:
    """Whether an event destination is enabled and publishes bounces and
    complaints somewhere; None when an unknown value decides. Not enabled
    is the API's default."""
    enabled, types = destination.enabled, destination.event_types
    if isinstance(enabled, Unknown) or isinstance(types, Unknown):
        return None
    if enabled is not True or not destination.destinations or not isinstance(types, list):
        return False
    written = {t.lower() for t in types if isinstance(t, str) and not has_marker(t)}
    if all(e in written for e in FEEDBACK_EVENTS):
        return True
    return None if any(_open(t) for t in types) else False  # only an unresolved type leaves it open


@dataclass
class Feedback:
    """Whether a configuration set publishes bounces and complaints:
    ``publishes`` True, False or None (undecided: a value that could not be
    resolved decides), how many event destinations were ``weighed``, and,
    when undecided, where the deciding values are: ``(resource, logical
    path, unknowns)`` for each."""

    publishes: Optional[bool]
    weighed: int
    undecided_by: list = field(default_factory=list)


def feedback(config_set, model, place) -> Feedback:
    """The ``Feedback`` of ``config_set`` from the event destinations of
    ``model`` that name it, or, when an unknown value leaves that open,
    that are declared in the same ``place``."""
    outcomes, undecided = [], []
    for destination in model.event_destinations:
        named = names(destination.configuration_set, config_set, config_set.name, model.configuration_sets)
        if named is False or named is None and place(destination) != place(config_set):
            continue
        covers = publishes_feedback(destination)
        outcome = covers if named else (None if covers is not False else False)
        outcomes.append(outcome)
        if outcome is None:
            if covers is None:
                undecided.extend((destination, path, list(unknowns_in(value))) for path, value in
                                 (("enabled", destination.enabled), ("event_types", destination.event_types)))
            if not named:
                undecided.append((destination, "configuration_set",
                                  list(unknowns_in([destination.configuration_set, config_set.name]))))
    publishes = True if True in outcomes else None if None in outcomes else False
    return Feedback(publishes, len(outcomes), [u for u in undecided if u[2]] if publishes is None else [])
