"""CloudFormation templates into the model: what ``analyzer.documents`` calls.

``looks_like_template`` decides by content whether a YAML or JSON file is a
template (``AWSTemplateFormatVersion``, or a top-level ``Resources``
mapping of ``AWS::``/``Custom::`` types), so that other YAML and JSON
(Ansible, Kubernetes, CI files, package manifests, CDK's ``manifest.json``,
``tree.json`` and ``*.assets.json``) is skipped quietly, while a broken
template is still recognised and reported. ``load_template`` reads one
template (JSON when it starts with ``{``, YAML otherwise), evaluates it with
the parameter values given and adds its SES resources to the model; what
cannot be read becomes an ``InputProblem`` (SES001) with its line.
"""

from __future__ import annotations

import json
import re
from typing import Any

from analyzer.cloudformation.adapter import adapt
from analyzer.cloudformation.intrinsics import Resolver
from analyzer.cloudformation.yaml_loader import YAMLLoadError, load_yaml
from analyzer.files import Limits
from analyzer.jsonloc import JSONLocError, loads
from analyzer.model import InputProblem, Model

_YAML_VERSION = re.compile(r"^[\"']?AWSTemplateFormatVersion[\"']?[ \t]*:", re.M)
_YAML_RESOURCES = re.compile(r"^[\"']?Resources[\"']?[ \t]*:", re.M)
_YAML_TYPE = re.compile(r"(?:^[ \t]+|[{,][ \t]*)[\"']?Type[\"']?[ \t]*:[ \t]*[\"']?(?:AWS|Custom)::", re.M)
_JSON_VERSION = re.compile(r'"AWSTemplateFormatVersion"\s*:')
_JSON_RESOURCES = re.compile(r'"Resources"\s*:\s*\{')
_JSON_TYPE = re.compile(r'"Type"\s*:\s*"(?:AWS|Custom)::')
_RESOURCE_TYPE = re.compile(r"(?:AWS|Custom)::")
_RESERVED = ("\ue000", "\ue001")  # the characters that mark unknown values inside strings


def looks_like_template(text: str) -> bool:
    """Whether ``text`` is (or is meant to be) a CloudFormation template."""
    if text.lstrip().startswith("{"):
        try:
            return _is_template(json.loads(text))
        except (ValueError, RecursionError):
            return bool(_JSON_VERSION.search(text) or (_JSON_RESOURCES.search(text) and _JSON_TYPE.search(text)))
    return bool(_YAML_VERSION.search(text) or (_YAML_RESOURCES.search(text) and _YAML_TYPE.search(text)))


def _is_template(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    resources = data.get("Resources")
    return "AWSTemplateFormatVersion" in data or isinstance(resources, dict) and any(
        isinstance(r, dict) and isinstance(r.get("Type"), str) and _RESOURCE_TYPE.match(r["Type"])
        for r in resources.values())


def load_template(path: str, shown: str, text: str, parameters: dict, model: Model,
                  limits: Limits = Limits()) -> None:
    """Add the SES resources of the template ``text`` (read from ``path``,
    shown as ``shown``) to ``model``, with ``parameters`` (name -> value) in use."""
    if any(c in text for c in _RESERVED):
        offset = min(text.find(c) for c in _RESERVED if c in text)
        line = text.count("\n", 0, offset) + 1
        model.problems.append(InputProblem(shown, "the file contains the characters U+E000 or U+E001, "
                                                  "which sesguard reserves; not analyzed",
                                           line, offset - (text.rfind("\n", 0, offset) + 1) + 1))
        return
    try:
        template, duplicates = _parse(text, shown, limits)
    except YAMLLoadError as error:
        model.problems.append(InputProblem(shown, error.message, error.line, error.column))
        return
    except JSONLocError as error:
        model.problems.append(InputProblem(shown, f"JSON syntax error: {error.message}", error.line, error.column))
        return
    except RecursionError:
        model.problems.append(InputProblem(shown, "the template is nested too deeply; not analyzed"))
        return
    for key, loc in duplicates:
        model.problems.append(InputProblem(shown, f"the key {key!r} is written twice in the same mapping; "
                                                  "CloudFormation rejects the template", loc.line, loc.column))
    if not isinstance(template, dict):
        loc = getattr(template, "loc", None)  # a list or a string has one; a number starts the file
        model.problems.append(InputProblem(shown, "the template is not a mapping",
                                           loc.line if loc else 1, loc.column if loc else 1))
        return
    if not isinstance(template.get("Resources"), dict):
        loc = (template.loc_of_key("Resources") if "Resources" in template else None) or template.loc
        model.problems.append(InputProblem(shown, "the template has no Resources mapping",
                                           loc.line if loc else 1, loc.column if loc else 1))
        return
    try:
        adapt(template, Resolver(template, parameters), shown, model)
    except RecursionError:
        model.problems.append(InputProblem(shown, "the template is nested too deeply to evaluate; not analyzed"))


def _parse(text: str, shown: str, limits: Limits) -> tuple:
    """``(template, duplicate keys)``; raises ``YAMLLoadError`` or ``JSONLocError``."""
    if text.lstrip().startswith("{"):
        decoded = loads(text, shown, limits=limits)
        return decoded.value, decoded.duplicates
    loaded = load_yaml(text, shown, limits)
    return loaded.value, loaded.duplicates
