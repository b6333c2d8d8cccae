"""Terragrunt units into the model.

A directory whose ``terragrunt.hcl`` no other configuration of the scan
includes is a unit: a deployment (kind ``terragrunt``) of the module its
``terraform { source = ... }`` names, with its ``inputs`` as the module's
variables. A local source (``../modules/ses``, ``../modules//ses``, an
absolute path) is read inside the repository only; a registry or git
source is a remote module, listed as not analyzed (SES003 when it names
SES). Without a source, the unit's own directory is the module.

``include`` blocks are merged as Terragrunt does: ``shallow`` (the default:
the unit's inputs override the parent's by name, its ``terraform.source``
the parent's), ``deep`` (maps merged recursively, lists concatenated) or
``no_merge``. Terragrunt allows one level of include: an included file that
includes another is reported (an include cycle as such), as is an include
path outside the repository.

The module a unit deploys is evaluated only through its units, never again
as a root module of its own with its defaults.
"""

from __future__ import annotations

import os

from analyzer.budget import OutOfTime, limited
from analyzer.discover import Discovery
from analyzer.errors import failure
from analyzer.files import display
from analyzer.model import Hop, InputProblem, LDict, LList, Location, ModuleNotAnalyzed, Unknown, passed
from analyzer.send_text import grants_send
from analyzer.terraform.adapter import adapt
from analyzer.terraform.modules import OUTSIDE, ModuleInstance
from analyzer.terraform.modules_json import read_modules_json
from analyzer.terragrunt.config import (MERGE_STRATEGIES, Config, ConfigError, Unit, file_problem, problem,
                                        read_config)

SOURCE_ADDRESS = "terraform.source"
_SES_SOURCE_WORDS = ("ses", "sesv2")
TOO_DEEP = "the configuration is nested too deeply to evaluate"


class TerragruntScan:
    """The units of one discovered path; run before ``TerraformScan.run``,
    whose parse cache, module reader and evaluated-module set it shares."""

    def __init__(self, terraform_scan):
        self.tf = terraform_scan
        self.discovery: Discovery = terraform_scan.discovery
        self.model = terraform_scan.model
        self.parsed: dict = {}  # each configuration is parsed once per scan (analyzer.terragrunt.config.Unit)

    def run(self) -> None:
        paths = [os.path.realpath(p) for p in self.discovery.terragrunt]
        includes = {path: self._included_by(path) for path in paths}
        # A file another one includes is a parent; one that includes a file itself cannot be (Terragrunt
        # allows one level), so it is a unit and its include is reported, an include cycle included.
        parents = {target for targets in includes.values() for target in targets if not includes.get(target)}
        for path in paths:
            if path not in parents:
                self._unit_safely(path)

    def _included_by(self, path: str) -> set:
        """The files ``path`` includes, as far as they can be told (problems are reported with the unit)."""
        def ran_out(exc: OutOfTime):
            self._problem(file_problem(display(path), f"reading the includes of this Terragrunt configuration {exc}"))

        try:
            with limited(self.tf.files.limits.max_file_seconds, ran_out):
                return self._include_paths(path)
        except RecursionError:
            self._problem(file_problem(display(path), TOO_DEEP))
        except Exception as exc:  # a bug of ours must not hide the other units, nor pass as clean
            self._problem(failure(display(path), "reading the includes of this Terragrunt unit", exc, 1, 1))
        return set()

    def _include_paths(self, path: str) -> set:
        unit = Unit(os.path.dirname(path), self.discovery.boundary, self.tf.files, parsed=self.parsed)
        try:
            config = read_config(path, unit, None)
        except ConfigError:
            return set()
        result = set()
        for block in config.body.blocks_of("include"):
            attr = block.body.attributes.get("path")
            value = config.evaluator.value(attr.expr, config.scope()) if attr else None
            if isinstance(value, str):
                result.add(os.path.realpath(os.path.join(os.path.dirname(path), value)))
        return result

    def _unit_safely(self, path: str) -> None:
        shown = display(path)
        self.tf.progress(f"evaluating the Terragrunt unit {display(os.path.dirname(path))}")

        def ran_out(exc: OutOfTime):
            self._problem(file_problem(shown, f"evaluating this Terragrunt unit, with the module it deploys, {exc}; "
                                              "not analyzed in full"))

        try:
            with limited(self.tf.files.limits.max_file_seconds, ran_out):
                self._unit(path)
        except RecursionError:
            self._problem(file_problem(shown, TOO_DEEP))
        except Exception as exc:  # a bug of ours must not hide the other units, nor pass as clean
            self._problem(failure(shown, "evaluating this Terragrunt unit", exc, 1, 1))

    def _problem(self, found: InputProblem) -> None:
        if found not in self.model.problems:
            self.model.problems.append(found)

    def _unit(self, path: str) -> None:
        unit = Unit(os.path.dirname(path), self.discovery.boundary, self.tf.files, parsed=self.parsed)
        try:
            config = read_config(path, unit, None)
        except ConfigError as exc:
            self._problem(problem(exc, display(path)))
            return
        parents = self._includes(config, unit)
        if parents is None:
            self._flush(unit)
            return
        if parents:
            config.include_dir = os.path.dirname(parents[0][0].path)
        try:
            self._merged(config, unit, parents)
        except ConfigError as exc:
            unit.problems.append(problem(exc, config.shown))
        self._flush(unit)

    def _merged(self, config: Config, unit: Unit, parents: list) -> None:
        """Deploy the unit with what it and its parents say."""
        source, source_loc, inputs = None, None, LDict()
        own_strategy = "shallow"  # how the unit's own inputs merge into its parents': its include's strategy
        for parent, strategy in parents:
            if strategy == "no_merge":
                continue
            parent_source = _terraform_source(parent)
            if parent_source is not None:
                source, source_loc = parent_source
            inputs = _merge(inputs, _inputs(parent), strategy)
            own_strategy = strategy
        own_source = _terraform_source(config)
        if own_source is not None:
            source, source_loc = own_source
        inputs = _merge(inputs, _inputs(config), own_strategy)
        self._deploy(config, unit, source, source_loc, inputs)

    def _flush(self, unit: Unit) -> None:
        for found in unit.problems:
            self._problem(found)

    def _includes(self, config: Config, unit: Unit):
        """``[(parent Config, merge strategy)]``, or None when an include cannot be used (reported)."""
        result = []
        for block in config.body.blocks_of("include"):
            try:
                parent, strategy = self._include(config, unit, block, (config.path,))
            except ConfigError as exc:
                unit.problems.append(problem(exc, config.shown))
                return None
            result.append((parent, strategy))
            expose = block.body.attributes.get("expose")
            exposed = expose is not None and config.evaluator.value(expose.expr, config.scope()) is True
            config.includes[block.labels[0] if block.labels else ""] = (parent, exposed)
        return result

    def _include(self, config: Config, unit: Unit, block, chain: tuple):
        attr = block.body.attributes.get("path")
        if attr is None:
            raise ConfigError("an include block needs a path", block.loc)
        value = config.evaluator.value(attr.expr, config.scope())
        if not isinstance(value, str):
            why = value.describe() if isinstance(value, Unknown) else "it is not a string"
            raise ConfigError(f"the include path could not be evaluated: {why}", attr.loc)
        target = os.path.realpath(os.path.join(os.path.dirname(config.path), value))
        if target in chain:
            raise ConfigError(f"include cycle: {display(target)} is already being included "
                              f"({' -> '.join(display(p) for p in chain + (target,))})", attr.loc)
        parent = read_config(target, unit, attr.loc)
        parent.include_dir = os.path.dirname(target)
        for nested in parent.body.blocks_of("include"):
            nested_attr = nested.body.attributes.get("path")
            nested_value = parent.evaluator.value(nested_attr.expr, parent.scope()) if nested_attr else None
            if isinstance(nested_value, str) and os.path.realpath(
                    os.path.join(os.path.dirname(target), nested_value)) in chain + (target,):
                raise ConfigError(f"include cycle: {parent.shown} includes {nested_value}, which includes it",
                                  nested_attr.loc)
            raise ConfigError(f"{parent.shown} includes another configuration; Terragrunt allows only one "
                              "level of include", nested_attr.loc if nested_attr else nested.loc)
        strategy_attr = block.body.attributes.get("merge_strategy")
        strategy = config.evaluator.value(strategy_attr.expr, config.scope()) if strategy_attr else "shallow"
        if strategy not in MERGE_STRATEGIES:
            raise ConfigError(f"merge_strategy must be one of {', '.join(MERGE_STRATEGIES)}, not {strategy!r}",
                              strategy_attr.loc)
        return parent, strategy

    def _deploy(self, config: Config, unit: Unit, source, source_loc: Location, inputs: LDict) -> None:
        deployment = self.model.deployment(display(unit.dir), "terragrunt")
        for shown in unit.read:
            if shown not in deployment.inputs:
                deployment.inputs.append(shown)
        if source is None:
            module_dir = unit.dir
            if not self.discovery.modules.get(module_dir) and not self.discovery.add_module(module_dir).files:
                unit.problems.append(file_problem(config.shown, "the unit has no terraform source and its "
                                                                "directory holds no Terraform files"))
                return
        elif isinstance(source, Unknown) or not isinstance(source, str):
            why = source.describe() if isinstance(source, Unknown) else "it is not a string"
            self._not_analyzed(str(source), f"its source is not known: {why}", source_loc, deployment.name)
            return
        elif _is_local(source):
            module_dir = _local_dir(source, unit.dir)
            if not _inside(module_dir, self.discovery.boundary):
                unit.problems.append(InputProblem(source_loc.file, f"{SOURCE_ADDRESS}: its source {source} is "
                                                  f"{OUTSIDE}", source_loc.line, source_loc.column))
                return
            if not os.path.isdir(module_dir):
                unit.problems.append(InputProblem(source_loc.file, f"{SOURCE_ADDRESS}: its source directory "
                                                  f"{source} does not exist", source_loc.line, source_loc.column))
                return
        else:
            self._not_analyzed(source, "it is a remote module (registry or git), which sesguard does not download",
                               source_loc, deployment.name)
            return
        self._evaluate(module_dir, unit, inputs, deployment)

    def _not_analyzed(self, source: str, why: str, loc: Location, deployment: str) -> None:
        self.model.not_analyzed.append(ModuleNotAnalyzed(SOURCE_ADDRESS, source, why, loc,
                                                         ses_related=_names_ses(source), context=deployment))

    def _evaluate(self, module_dir: str, unit: Unit, inputs: LDict, deployment) -> None:
        discovery = self.discovery
        inputs_grant = any(grants_send(self.tf.files.read(p)[0].encode("utf-8")) for p in unit.paths)
        self.tf.evaluated_elsewhere.add(module_dir)

        def relevant(directory: str) -> bool:
            self.tf.evaluated_elsewhere.add(directory)
            return discovery.relevant_callee(directory, module_dir) or (
                inputs_grant and discovery.tree_declares_iam(directory))

        if not (discovery.relevant(module_dir) or inputs_grant and discovery.tree_declares_iam(module_dir)):
            return
        source = self.tf.read_module(module_dir)
        values = {}
        for name, value in inputs.items():
            if name in source.variables:
                hop = Hop(inputs.loc_of_key(name) or Location(unit.read[0], 0, 0), f"terragrunt input {name}")
                values[name] = (lambda v=passed(value, hop): v)
        instance = ModuleInstance(self.tf.loader, source, "", values, module_dir,
                                  modules_json=read_modules_json(module_dir), deployment=deployment)
        adapt(instance, self.model, relevant)


def _terraform_source(config: Config):
    """``(value, Location)`` of the configuration's ``terraform.source``, or None."""
    for block in config.body.blocks_of("terraform"):
        attr = block.body.attributes.get("source")
        if attr is not None:
            return config.evaluator.value(attr.expr, config.scope()), attr.loc
    return None


def _inputs(config: Config):
    """The configuration's ``inputs`` map, None when it has none; raises ``ConfigError``."""
    attr = config.body.attributes.get("inputs")
    if attr is None:
        return None
    value = config.attribute("inputs")
    if isinstance(value, dict):
        return value
    why = value.describe() if isinstance(value, Unknown) else "it must be a map"
    raise ConfigError(f"inputs could not be evaluated: {why}", attr.loc)


def _merge(base: LDict, override, strategy: str) -> LDict:
    """The inputs of a parent (``base``) merged with those that override them."""
    if override is None:
        return base
    if strategy == "shallow":
        merged = LDict(base, base.loc, base.key_locs)
        for key, value in override.items():
            merged[key] = value
            merged.key_locs[key] = override.loc_of_key(key)
        return merged
    return _deep(base, override)


def _deep(base, override):
    if isinstance(base, Unknown) or isinstance(override, Unknown):
        other = override if isinstance(base, Unknown) else base
        if isinstance(other, (list, dict, Unknown)):  # two lists or two maps merge: how, the unknown side decides
            unknown = base if isinstance(base, Unknown) else override
            return Unknown(unknown.ref, unknown.kind, unknown.loc, unknown.hint)
        return override  # values of other types do not merge: the override is the value
    if isinstance(base, dict) and isinstance(override, dict):
        merged = LDict(base, getattr(base, "loc", None), getattr(base, "key_locs", None))
        for key, value in override.items():
            merged[key] = _deep(base[key], value) if key in base else value
            if isinstance(override, LDict):
                merged.key_locs[key] = override.loc_of_key(key)
        return merged
    if isinstance(base, list) and isinstance(override, list):
        return LList(list(base) + list(override), getattr(override, "loc", None))
    return override


def _is_local(source: str) -> bool:
    return source in (".", "..") or source.startswith(("./", "../", "/"))


def _local_dir(source: str, unit_dir: str) -> str:
    base, _, subdir = source.partition("//") if not source.startswith("//") else (source, "", "")
    return os.path.realpath(os.path.join(unit_dir, base, subdir))


def _names_ses(source: str) -> bool:
    words = source.lower().replace("_", "/").replace(".", "/").replace("-", "/").split("/")
    return any(w in _SES_SOURCE_WORDS for w in words)


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)
