"""One ``terragrunt.hcl`` evaluated for one unit.

A configuration file is parsed with python-hcl2 (``analyzer.terraform.parse``)
and its expressions are evaluated with the Terraform evaluator, which here
also knows the Terragrunt functions in ``FUNCTIONS``. An included parent is
evaluated in the context of the unit that includes it, as Terragrunt does:
``get_terragrunt_dir()`` is the unit's directory there too.

``get_env(NAME, DEFAULT)`` is always ``DEFAULT``: sesguard never reads the
environment, so a scan gives the same result on every machine; without a
default it is unknown. Any other Terragrunt function (``run_cmd``,
``get_aws_account_id``, ``sops_decrypt_file``...) is unknown, naming the
function, and never run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Optional

from lark import Tree

from analyzer.files import display, placed
from analyzer.model import EVALUATION, MODULE, InputProblem, LDict, Location, Unknown
from analyzer.terraform.eval_error import EvalError
from analyzer.terraform.evaluate import Evaluator, Namespace, Scope
from analyzer.terraform.functions import SUPPORTED, CallContext
from analyzer.terraform.parse import ParseError, location, subtrees

CONFIG_NAME = "terragrunt.hcl"

# The Terragrunt functions sesguard evaluates (README, "Terragrunt").
FUNCTIONS = ("find_in_parent_folders", "read_terragrunt_config", "get_env", "path_relative_to_include",
             "path_relative_from_include", "get_terragrunt_dir", "get_parent_terragrunt_dir")

MERGE_STRATEGIES = ("no_merge", "shallow", "deep")


class _Object(Namespace):
    """A dependency, its outputs, Terragrunt's ``feature`` or ``values``: an
    object whose attributes are read on demand, and a value by itself."""


class ConfigError(Exception):
    """A configuration that cannot be used: reported as SES001 at ``loc``."""

    def __init__(self, message: str, loc: Optional[Location]):
        super().__init__(message)
        self.message = message
        self.loc = loc


@dataclass
class Unit:
    """What every file evaluated for one unit shares."""

    dir: str  # real directory of the unit's terragrunt.hcl (get_terragrunt_dir)
    boundary: str  # nothing outside it is read
    files: object  # analyzer.terraform.loader.TerraformFiles
    problems: list = field(default_factory=list)  # InputProblem
    read: list = field(default_factory=list)  # the configuration files read, as shown
    paths: list = field(default_factory=list)  # the same, real paths
    parsed: dict = field(default_factory=dict)  # real path -> ParsedFile or ConfigError, shared by the scan


class Config:
    """One parsed configuration file; ``include_dir``: the directory of the
    parent being included, when this file is evaluated as that parent or
    as the unit that includes it."""

    def __init__(self, unit: Unit, path: str, parsed, include_dir: str = ""):
        self.unit = unit
        self.path = path
        self.shown = parsed.path
        self.body = parsed.body
        self.include_dir = include_dir
        self.evaluator = _TerragruntEvaluator(self, CallContext(
            module_dir=os.path.dirname(path), root_dir=unit.boundary, render_template=None,
            limits=unit.files.limits, reads=set()))
        self.evaluator.ctx.render_template = self.evaluator.render_template
        self._locals: dict = {}
        self._busy: set = set()
        self.includes: dict = {}  # include label -> (parent Config, whether it is exposed), set by the loader

    def scope(self) -> Scope:
        return Scope(self._root_name, self.shown)

    def attribute(self, name: str):
        """The value of a top-level attribute, or None when it is not written."""
        attr = self.body.attributes.get(name)
        return None if attr is None else self.evaluator.value(attr.expr, self.scope())

    def _root_name(self, name: str, loc: Location):
        if name == "local":
            return Namespace("local", lambda n: self.local(n, loc))
        if name == "dependency":
            return Namespace("dependency", lambda n: self.dependency(n, loc))
        if name == "include":
            return Namespace("include", lambda n: self.exposed(n, loc))
        if name in ("feature", "values"):
            return _Object(name, lambda n: Unknown(f"{name}.{n}", EVALUATION, loc,
                                                     f"{name}.{n}: sesguard does not evaluate references to "
                                                     f"Terragrunt's {name} (at {loc})"))
        raise EvalError(f"unknown name {name!r}")

    def local(self, name: str, loc: Location):
        if name in self._locals:
            return self._locals[name]
        blocks = self.body.blocks_of("locals")
        attr = next((b.body.attributes[name] for b in blocks if name in b.body.attributes), None)
        if attr is None:
            raise EvalError(f"local.{name} is not declared in {self.shown}")
        if name in self._busy:
            raise EvalError(f"local.{name} refers to itself")
        self._busy.add(name)
        try:
            self._locals[name] = self.evaluator.value(attr.expr, self.scope())
        finally:
            self._busy.discard(name)
        return self._locals[name]

    def exposed(self, label: str, loc: Location):
        """``include.LABEL``: the parent's ``locals`` and ``inputs``, when the include says ``expose = true``."""
        if label not in self.includes:
            return Unknown(f"include.{label}", EVALUATION, loc,
                           f"include.{label} is not known here: only the unit's own exposed includes are "
                           f"evaluated (at {loc})")
        parent, exposed = self.includes[label]
        if not exposed:
            raise EvalError(f"include.{label} can only be referenced when its include block says expose = true")
        result = {"locals": parent.locals()}
        inputs = parent.attribute("inputs")
        if inputs is not None:
            result["inputs"] = inputs
        return LDict(result, loc)

    def locals(self) -> dict:
        """Every local of the file, as ``read_terragrunt_config`` and exposed includes give them."""
        return LDict({name: self.local(name, attr.loc) for block in self.body.blocks_of("locals")
                      for name, attr in block.body.attributes.items()})

    def dependency_blocks(self) -> dict:
        return {b.labels[0]: b for b in self.body.blocks_of("dependency") if b.labels}

    def dependency(self, name: str, loc: Location):
        block = self.dependency_blocks().get(name)
        if block is None:
            raise EvalError(f"dependency.{name} is not declared in {self.shown}")
        mocks_attr = block.body.attributes.get("mock_outputs")
        mocks = self.evaluator.value(mocks_attr.expr, self.scope()) if mocks_attr else None

        def output(key: str):
            if key != "outputs":
                return Unknown(f"dependency.{name}.{key}", EVALUATION, loc)
            if isinstance(mocks, (dict, Unknown)):
                return mocks
            return _Object(f"dependency.{name}.outputs", lambda o: Unknown(
                f"dependency.{name}.outputs.{o}", MODULE, loc,
                f"dependency.{name}.outputs.{o} is an output of another unit, known only after it is applied; "
                "give the dependency mock_outputs to analyze with them"))
        return _Object(f"dependency.{name}", output)

    # -- Terragrunt functions ---------------------------------------------------

    def call(self, name: str, args: list, loc: Location):
        if name == "get_terragrunt_dir":
            return self.unit.dir
        if name == "get_parent_terragrunt_dir":
            return self.include_dir or self.unit.dir
        if name in ("path_relative_to_include", "path_relative_from_include"):
            if not self.include_dir:
                return "."
            there, here = (self.unit.dir, self.include_dir) if name == "path_relative_to_include" else (
                self.include_dir, self.unit.dir)
            return os.path.relpath(there, here).replace(os.sep, "/")
        if name == "get_env":
            if not args or not isinstance(args[0], str):
                raise EvalError("get_env takes the name of an environment variable")
            if len(args) > 1:
                return args[1]
            return Unknown(f"get_env({args[0]})", EVALUATION, loc,
                           f"get_env(\"{args[0]}\") has no default, and sesguard does not read the environment "
                           f"(at {loc})")
        if name == "find_in_parent_folders":
            return self._find_in_parent_folders(args, loc)
        return self._read_terragrunt_config(args, loc)  # read_terragrunt_config, the one left

    def _find_in_parent_folders(self, args: list, loc: Location):
        wanted = args[0] if args else CONFIG_NAME
        if not isinstance(wanted, str):
            return Unknown("find_in_parent_folders(...)", EVALUATION, loc)
        current = os.path.dirname(self.unit.dir)
        while _inside(current, self.unit.boundary):
            candidate = os.path.join(current, wanted)
            if os.path.isfile(candidate):
                return candidate
            parent = os.path.dirname(current)
            if parent == current:
                break
            current = parent
        if len(args) > 1:
            return args[1]
        raise EvalError(f"find_in_parent_folders: no {wanted} in a parent folder of {display(self.unit.dir)} "
                        "inside the repository")

    def _read_terragrunt_config(self, args: list, loc: Location):
        if not args or not isinstance(args[0], str):
            return Unknown("read_terragrunt_config(...)", EVALUATION, loc)
        path = os.path.realpath(os.path.join(os.path.dirname(self.path), args[0]))
        if not os.path.isfile(path) and len(args) > 1:
            return args[1]
        other = read_config(path, Unit(os.path.dirname(path), self.unit.boundary, self.unit.files,
                                       self.unit.problems, self.unit.read, self.unit.paths, self.unit.parsed), loc)
        result = {"locals": other.locals()}
        for name in ("inputs",):
            value = other.attribute(name)
            if value is not None:
                result[name] = value
        return LDict(result, loc)


class _TerragruntEvaluator(Evaluator):
    """The Terraform evaluator, plus the Terragrunt functions of one configuration."""

    def __init__(self, config: Config, ctx: CallContext):
        super().__init__(ctx)
        self.config = config

    def _function_call(self, node, scope):
        heads = [c for c in node.children if isinstance(c, Tree) and c.data == "identifier"]
        name = "::".join(str(h.children[0]) for h in heads)
        loc = location(scope.file, node)
        if name in FUNCTIONS:
            args_node = next((c for c in node.children if isinstance(c, Tree) and c.data == "arguments"), None)
            args = [self.eval(a, scope) for a in (subtrees(args_node) if args_node is not None else [])]
            if any(isinstance(a, Unknown) for a in args):
                return next(a for a in args if isinstance(a, Unknown))
            try:
                return self.config.call(name, args, loc)
            except ConfigError as exc:
                raise EvalError(exc.message) from None
        if name not in SUPPORTED:
            return Unknown(f"{name}(...)", EVALUATION, loc,
                           f"{name}(...) is a function sesguard does not evaluate in Terragrunt configurations "
                           f"(at {loc}), so its result is unknown")
        return super()._function_call(node, scope)


def read_config(path: str, unit: Unit, loc: Optional[Location]) -> Config:
    """The parsed configuration at ``path``; raises ``ConfigError`` (at ``loc``
    when the file cannot be read, at the error's line when it cannot be parsed)."""
    if not _inside(path, unit.boundary):
        raise ConfigError(f"{display(path)} is outside the repository, which sesguard never reads outside of", loc)
    shown = display(path)
    if path not in unit.parsed:
        unit.parsed[path] = _parse(path, shown, unit.files)
    parsed = unit.parsed[path]
    if isinstance(parsed, ConfigError):
        if parsed.loc is None and loc is not None:  # reported where the file is named
            raise ConfigError(f"{shown}: {parsed.message}", loc)
        raise ConfigError(parsed.message, parsed.loc or Location(shown, 0, 0))
    if shown not in unit.read:
        unit.read.append(shown)
        unit.paths.append(path)
    return Config(unit, path, parsed)


def _parse(path: str, shown: str, files):
    """The parsed file, or the ``ConfigError`` saying why there is none: at
    the byte that could not be read (not UTF-8, a NUL), or, when the reader
    names none, with no location (the file as a whole)."""
    text, problem = files.read(path)
    if problem:
        message, line, column = placed(problem)
        return ConfigError(message, Location(shown, line, column or 1) if line else None)
    try:
        return files.parse(path, shown, text)
    except ParseError as exc:
        return ConfigError(f"cannot parse: {exc.message}", Location(shown, exc.line, exc.column))


def problem(exc: ConfigError, shown: str) -> InputProblem:
    loc = exc.loc
    if loc is None:
        return file_problem(shown, exc.message)
    return InputProblem(loc.file, exc.message, loc.line, loc.column)


def file_problem(shown: str, message: str) -> InputProblem:
    """A problem with a Terragrunt file as a whole, placed at its first line (every SES001 has one)."""
    return InputProblem(shown, message, 1, 1)


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)
