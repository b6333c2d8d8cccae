"""Where SES sending events go: which event destinations publish bounces
and complaints, and which configuration set a value names."""

from __future__ import annotations

from typing import Any, Optional

from analyzer.model import EventDestination, Resource, Unknown, has_marker

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
    return None if len(written) < len(types) else False
