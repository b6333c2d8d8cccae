"""Module instances and resource instances.

A ``ModuleInstance`` is a module directory (``analyzer.terraform.sources``)
evaluated with one set of inputs (a root module with its
tfvars, or a module call with the caller's arguments) under an address
prefix such as ``module.mail[0].``. Instances resolve ``var``, ``local``,
``module``, ``data`` and resource references lazily, with cycle detection,
and expand ``count`` / ``for_each`` / ``dynamic`` as Terraform does. A block
without instances with the values in use (``count = 0``) keeps one inactive
instance, evaluated as if it existed so that its findings can be shown as
inactive; references from the rest of the configuration see no instance.
"""

from __future__ import annotations

import copy
import json
import os
import math
from dataclasses import dataclass
from typing import Optional

from lark import Tree

from analyzer import reads
from analyzer.files import Limits
from analyzer.model import (
    AFTER_APPLY,
    DATA,
    ERROR,
    EVALUATION,
    MODULE,
    VARIABLE,
    Deployment,
    Hop,
    InputProblem,
    LDict,
    LList,
    Location,
    LStr,
    Unknown,
    passed,
    unknowns_in,
    whole,
)
from analyzer.terraform import datasources
from analyzer.terraform.eval_error import EvalError
from analyzer.terraform.evaluate import (
    Evaluator,
    Namespace,
    Scope,
    type_name,
    unknown_from,
)
from analyzer.terraform.functions import CallContext, FunctionError, call
from analyzer.terraform.parse import (
    Attribute,
    Block,
    Body,
    location,
)
from analyzer.terraform.sources import ModuleSource, references
from analyzer.terraform.variable_types import convert, type_constraint

OUTSIDE = ("outside the repository, which sesguard never reads outside of; scan from a repository that holds "
           "both, or give --root")
MAX_INSTANCES = 1000  # of one resource, data or module block: evaluating each costs about a millisecond
NUL_SOURCE = "its source holds a NUL byte, which no path can"
META_ARGUMENTS = {"source", "version", "count", "for_each", "providers", "depends_on", "lifecycle", "provider"}


@dataclass
class Expansion:
    """One instance of a block with ``count`` or ``for_each``."""

    key: object  # None, an int or a str
    scope: Scope
    active: bool = True
    reason: str = ""
    unknown: Optional[Unknown] = None  # the count / for_each value, when how many instances exist is unknown
    conditional: str = ""  # with ``unknown``: what the instances depend on, in a sentence

    def address(self, base: str) -> str:
        if self.key is None:
            return base
        if isinstance(self.key, int):
            return f"{base}[{self.key}]"
        return f"{base}[{json.dumps(str(self.key))}]"


# (resource type, attribute) -> the argument whose value it is: an SES identity's id is its name
# Attributes a resource computes as the value of one of its arguments
_SAME_AS_ARGUMENT = {
    ("aws_ses_domain_identity", "id"): "domain",
    ("aws_ses_email_identity", "id"): "email",
    ("aws_sesv2_email_identity", "id"): "email_identity",
    ("terraform_data", "output"): "input",  # null when input is not set
}


class UnknownInstances(Unknown):
    """The instances of a block whose ``count`` or ``for_each`` is unknown:
    unknown as a whole (how many, which keys), but the one an unknown key
    (``each.key``, ``count.index``) picks is the block evaluated once with
    the unknown key (``any_instance``), so ``data.x.d[each.key].json`` keeps
    what every instance has in common: the literal parts of its document. A
    literal key may name no instance, so what it picks stays unknown."""

    __slots__ = ("any_instance",)

    def __init__(self, ref, kind, loc, hint, any_instance):
        super().__init__(ref, kind, loc, hint)
        self.any_instance = any_instance

    def __getstate__(self):
        return super().__getstate__() + (self.any_instance,)

    def __setstate__(self, state):
        super().__setstate__(state[:4])
        self.any_instance = state[4]


class ResourceInstance(Namespace):
    """``aws_x.y[key]``: configured arguments are known, the rest after apply."""

    def __init__(self, instance: "ModuleInstance", block: Block, expansion: Expansion, address: str, kind: str):
        super().__init__(address, self._attribute)
        self.instance = instance
        self.block = block
        self.expansion = expansion
        self.kind = kind  # "resource" or "data"
        self._cache: dict = {}

    def _attribute(self, name: str):
        if name in self._cache:
            return self._cache[name]
        loc = self.block.loc
        resource_type = self.block.labels[0]
        written = name if name in self.block.body.attributes else _SAME_AS_ARGUMENT.get((resource_type, name))
        if self.kind == "data" and resource_type == datasources.CALLER_IDENTITY:
            value = datasources.caller_identity_attribute(self.ref, name, loc)
        elif self.kind == "data" and resource_type == datasources.POLICY_DOCUMENT and name in ("json", "minified_json"):
            value = whole(self.instance.guarded(("policy", self.ref), lambda: datasources.PolicyDocumentRenderer(
                self.instance, self.block.body, self.expansion.scope, self.block.loc).render(), self.ref))
        elif self.kind == "data":
            value = Unknown(f"{self.ref}.{name}", DATA, loc)
        elif written in self.block.body.attributes:
            value = self.instance.guarded(("attr", self.ref, name), lambda: self.instance.evaluator.value(
                self.block.body.attributes[written].expr, self.expansion.scope), f"{self.ref}.{name}")
        elif (resource_type, name) == ("terraform_data", "output"):
            value = None
        else:
            value = Unknown(f"{self.ref}.{name}", AFTER_APPLY, loc)
        self._cache[name] = value
        return value

    def argument(self, name: str):
        """A configured argument, or None when it is not written."""
        if name not in self.block.body.attributes:
            return None
        return self._attribute(name)


class Loader:
    """Shared state of one scan: parsed module directories and options."""

    def __init__(self, root_dir: str, read_module, cwd: str, limits: Limits = Limits()):
        self.root_dir = root_dir  # the scanned root: nothing outside it is read
        self.read_module = read_module  # dir -> ModuleSource
        self.cwd = cwd
        self.limits = limits
        self.problem_places: set = set()  # (file, line) of the problems found reading the module directories


class ModuleInstance:
    def __init__(self, loader: Loader, source: ModuleSource, prefix: str, inputs: dict,
                 root_dir: str, chain: tuple = (), active: bool = True, reason: str = "",
                 modules_json: Optional[dict] = None, module_key: str = "", deployment: Deployment = None,
                 conditional: str = "", workspace: Optional[str] = None):
        self.loader = loader
        self.workspace = workspace  # terraform.workspace; None: unknown
        self.conditional = conditional  # what the instance's existence depends on, when it is not known
        self.deployment = deployment or Deployment(root_dir, "terraform")  # what this instance is deployed with
        self.deployment.files.update(parsed.path for parsed in source.files)
        self.source = source
        self.prefix = prefix  # "" or "module.mail." or 'module.mail["a"].'
        self.inputs = inputs  # name -> callable returning the value
        self.root_dir = root_dir  # root module directory (path.root)
        self.chain = chain  # dirs of the callers, to stop recursive modules
        self.active = active
        self.reason = reason
        self.modules_json = modules_json or {}
        self.module_key = module_key
        self.evaluator = Evaluator(CallContext(module_dir=source.dir, root_dir=loader.root_dir,
                                               render_template=None, limits=loader.limits,
                                               reads=self.deployment.files))
        self.evaluator.ctx.render_template = self.evaluator.render_template
        self._locals: dict = {}
        self._vars: dict = {}
        self._refs: dict = {}
        self._children: dict = {}
        self._busy: set = set()
        self.not_analyzed: list = []  # (call address, source, why, file, loc)
        self.problems: list = []  # InputProblem: what evaluating it found wrong in the input
        # Whether references see the instances of blocks that do not exist
        # with the values in use (count = 0), as the contents of such blocks
        # must; see ``_inactive_view``.
        self.sees_inactive = not active
        self._real = self
        self._view: Optional[ModuleInstance] = None

    def _inactive_view(self) -> "ModuleInstance":
        """This instance as seen from inside a block that does not exist with
        the values in use: references there also see the other blocks that
        do not exist, so their contents can be evaluated and reported as
        inactive. Everywhere else, such a block has no instances."""
        if self.sees_inactive:
            return self
        if self._view is None:
            self._view = copy.copy(self)
            self._view.sees_inactive = True
            self._view._locals, self._view._refs = {}, {}
        return self._view

    # -- scopes -----------------------------------------------------------

    def scope(self, file: str) -> Scope:
        return Scope(self._root_name, file)

    def _root_name(self, name: str, loc: Location):
        if name == "var":
            return Namespace("var", lambda n: self.var(n, loc))
        if name == "local":
            return Namespace("local", lambda n: self.local(n, loc))
        if name == "module":
            return Namespace("module", lambda n: self.module_ref(n, loc))
        if name == "data":
            return Namespace("data", lambda t: Namespace(f"data.{t}", lambda n: self.resource_ref("data", t, n, loc)))
        if name == "path":
            return LDict({"module": self.source.dir, "root": self.root_dir, "cwd": self.loader.cwd}, loc)
        if name == "terraform":
            workspace = (LStr(self.workspace, loc) if self.workspace is not None
                         else Unknown("terraform.workspace", EVALUATION, loc))
            return LDict({"workspace": workspace}, loc)
        if name in ("count", "each", "self"):
            raise EvalError(f"{name} is not available here")
        if any(t == name for t in self.source.resource_types):
            return Namespace(name, lambda n: self.resource_ref("resource", name, n, loc))
        if name.startswith(("aws_", "google_", "azurerm_", "cloudflare_")) or "_" in name:
            return Namespace(name, lambda n: self._undeclared(f"{name}.{n}", "resource", loc))
        raise EvalError(f"unknown name {name!r}")

    def _undeclared(self, ref: str, kind: str, loc: Location):
        """A reference to a resource the module does not declare: Terraform
        rejects the configuration, so the input is not analyzed (SES001)."""
        message = f"reference to an undeclared {kind}: {ref} is not declared in {self.source.display_dir}"
        if loc is not None:
            self.problems.append(InputProblem(loc.file, message, loc.line, loc.column))
        raise EvalError(message)

    def guarded(self, key, compute, ref: str):
        """Evaluate once, reporting a reference cycle as an unknown value."""
        if key in self._busy:
            return Unknown(f"{ref} refers to itself", ERROR)
        self._busy.add(key)
        try:
            return compute()
        finally:
            self._busy.discard(key)

    # -- variables and locals ----------------------------------------------

    def var(self, name: str, loc: Location):
        if name not in self._vars:
            self._vars[name] = self.guarded(("var", name), lambda: self._variable(name, loc), f"var.{name}")
        return self._vars[name]

    def _variable(self, name: str, loc: Location):
        block = self.source.variables.get(name)
        if name in self.inputs:
            value = self.inputs[name]()
            if block is None:
                return value
            if value is not None or self._nullable(block):
                return self._typed(name, block, value)
        if block is None:
            raise EvalError(f"var.{name} is not declared in {self.source.display_dir}")
        default = block.body.attributes.get("default")
        if default is not None:
            return self._typed(name, block, self.evaluator.value(default.expr, self.scope(default.loc.file)))
        where = f" of {self.prefix.rstrip('.')}" if self.prefix else ""
        return Unknown(f"var.{name}", VARIABLE, loc,
                       hint=f"var.{name}{where} has no value; pass --var {name}=... or a --var-file"
                       if not self.prefix else f"var.{name}{where} has no value: the module call does not set it")

    def _nullable(self, block: Block) -> bool:
        """Whether a null value given to a variable replaces its default, as
        Terraform does unless the variable says ``nullable = false``."""
        attribute = block.body.attributes.get("nullable")
        return attribute is None or self.evaluator.value(attribute.expr, self.scope(attribute.loc.file)) is not False

    def _typed(self, name: str, block: Block, value):
        """``value`` converted to the variable's ``type``, as Terraform does."""
        attribute = block.body.attributes.get("type")
        if attribute is None:
            return value
        scope = self.scope(attribute.loc.file)
        try:
            return convert(value, type_constraint(attribute.expr), lambda expr: self.evaluator.eval(expr, scope))
        except EvalError as exc:
            return Unknown(f"var.{name}: {exc} (at {block.loc})", ERROR, block.loc)

    def local(self, name: str, loc: Location):
        if name not in self._locals:
            entry = self.source.locals.get(name)
            if entry is None:
                raise EvalError(f"local.{name} is not declared in {self.source.display_dir}")
            attribute, file = entry
            self._locals[name] = self.guarded(("local", name), lambda: self.evaluator.value(
                attribute.expr, self.scope(file)), f"local.{name}")
        return self._locals[name]

    # -- count, for_each, dynamic ---------------------------------------

    def expand(self, body: Body, file: str) -> list:
        """The instances of a block with ``count`` or ``for_each``."""
        scope = self.scope(file)
        inactive = self._inactive_view().scope(file)
        if "count" in body.attributes:
            expr = body.attributes["count"].expr
            count = whole(self.evaluator.value(expr, scope))
            if count is None:  # as a module library's null default leaves it: no instance, no error
                return [Expansion(0, inactive.bind({"count": {"index": 0}}), False,
                                  self._reason("count is null", expr, scope))]
            if not isinstance(count, Unknown):
                try:
                    count = count_number(count)
                except EvalError as exc:
                    self._unsuitable(file, expr, str(exc))
                    return [Expansion(0, inactive.bind({"count": {"index": 0}}), False, str(exc))]
            if isinstance(count, Unknown):
                unknown = unknown_from([count], location(file, expr))
                return [Expansion(0, scope.bind({"count": {"index": count}}), unknown=unknown,
                                  conditional=_conditional("count", unknown))]
            if count == 0:
                return [Expansion(0, inactive.bind({"count": {"index": 0}}), False,
                                  self._reason("count = 0", expr, scope))]
            if count > MAX_INSTANCES:
                digits = len(str(count))
                why = self._too_many(file, expr, f"count = {count}" if digits <= 20 else f"a count of {digits} digits")
                return [Expansion(0, inactive.bind({"count": {"index": 0}}), False, why)]
            return [Expansion(i, scope.bind({"count": {"index": i}})) for i in range(count)]
        if "for_each" in body.attributes:
            expr = body.attributes["for_each"].expr
            items = whole(self.evaluator.value(expr, scope))
            if isinstance(items, list) and any(unknowns_in(items)):
                items = unknown_from(items, location(file, expr))  # the keys of a set must be known
            if isinstance(items, Unknown):
                unknown = unknown_from([items], location(file, expr))
                return [Expansion(items.ref, scope.bind({"each": {"key": items, "value": items}}), unknown=unknown,
                                  conditional=_conditional("for_each", unknown))]
            pairs = _each_pairs(items)
            if items is None:
                return [Expansion(None, inactive, False, self._reason("for_each is null", expr, scope))]
            if pairs is None:
                why = f"for_each must be a map or a set of strings, not {_described(items)}"
                self._unsuitable(file, expr, why)
                return [Expansion(None, inactive, False, why)]
            if not pairs:
                placeholder = Unknown("each.value", EVALUATION)
                return [Expansion("", inactive.bind({"each": {"key": placeholder, "value": placeholder}}), False,
                                  self._reason("for_each is empty", expr, scope))]
            if len(pairs) > MAX_INSTANCES:
                return [Expansion(None, inactive, False, self._too_many(file, expr, f"for_each of {len(pairs)} keys"))]
            return [Expansion(k, scope.bind({"each": {"key": k, "value": v}})) for k, v in pairs]
        return [Expansion(None, scope)]

    def _too_many(self, file: str, expr, what: str) -> str:
        """Report a block with more instances than sesguard evaluates, at its line (SES001)."""
        where = location(file, expr)
        why = f"{what}: more than {MAX_INSTANCES} instances, the limit of one block sesguard evaluates; not analyzed"
        self.problems.append(InputProblem(where.file, why, where.line, where.column))
        return why

    def _unsuitable(self, file: str, expr, why: str) -> None:
        """Report a ``count`` / ``for_each`` value Terraform rejects, at its line (SES001)."""
        where = location(file, expr)
        problem = InputProblem(where.file, f"{why}; Terraform rejects this configuration", where.line, where.column)
        if problem not in self.problems:
            self.problems.append(problem)

    def expand_blocks(self, body: Body, block_type: str, scope: Scope):
        """Nested blocks of ``block_type``, with ``dynamic`` ones expanded:
        yields ``(block, scope)``."""
        for block in body.blocks:
            if block.type == block_type:
                yield block, scope
            elif block.type == "dynamic" and block.labels == [block_type]:
                yield from self._dynamic(block, scope)

    def _dynamic(self, block: Block, scope: Scope):
        attrs = block.body.attributes
        iterator = block_type = block.labels[0]
        if "iterator" in attrs:
            iterator = _identifier(attrs["iterator"].expr) or block_type
        items = whole(self.evaluator.value(attrs["for_each"].expr, scope)) if "for_each" in attrs else []
        contents = block.body.blocks_of("content")
        if not contents:
            return
        content = contents[0]
        if isinstance(items, Unknown):
            yield content, scope.bind({iterator: {"key": items, "value": items}})
            return
        for key, value in _each_pairs(items, as_list=True) or []:
            yield content, scope.bind({iterator: {"key": key, "value": value}})

    def _reason(self, what: str, expr, scope: Scope) -> str:
        refs = []
        for ref in references(expr):
            value = self.evaluator.value(ref[1], scope)
            refs.append(f"{ref[0]} = {_show(value)}")
        return what + (" while " + ", ".join(dict.fromkeys(refs)) if refs else "")

    # -- resources and data sources -----------------------------------------

    def resource_ref(self, kind: str, type_: str, name: str, loc: Location):
        key = (kind, type_, name)
        if key not in self._refs:
            table = self.source.resources if kind == "resource" else self.source.data
            entry = table.get((type_, name))
            if entry is None:
                if kind == "data":
                    return self._undeclared(f"data.{type_}.{name}", "data source", loc)
                return self._undeclared(f"{type_}.{name}", "resource", loc)
            self._refs[key] = self.guarded(("ref",) + key, lambda: self._resource_value(kind, entry),
                                           f"{type_}.{name}")
        return self._refs[key]

    def resource_instances(self, kind: str, type_: str, name: str) -> list:
        """``(ResourceInstance, Expansion)`` for each instance of a block."""
        table = self.source.resources if kind == "resource" else self.source.data
        block, file = table[(type_, name)]
        base = f"{self.prefix}{'data.' if kind == 'data' else ''}{type_}.{name}"
        result = []
        for expansion in self.expand(block.body, file):
            address = expansion.address(base)
            result.append(ResourceInstance(self, block, expansion, address, kind))
        return result

    def _resource_value(self, kind: str, entry):
        block, _ = entry
        instances = self.resource_instances(kind, block.labels[0], block.labels[1])
        attrs = block.body.attributes
        unknown = instances[0].expansion.unknown
        if unknown is not None:
            base = f"{self.prefix}{'data.' if kind == 'data' else ''}{block.labels[0]}.{block.labels[1]}"
            return UnknownInstances(base, unknown.kind, block.loc, unknown.describe(), any_instance=instances[0])
        existing = [i for i in instances if i.expansion.active or self.sees_inactive]
        if "count" in attrs:
            return LList(existing, block.loc)
        if "for_each" in attrs:
            return LDict({str(i.expansion.key): i for i in existing}, block.loc)
        return instances[0]

    # -- module calls -------------------------------------------------------

    def module_ref(self, name: str, loc: Location):
        entry = self.source.calls.get(name)
        if entry is None:
            raise EvalError(f"module.{name} is not declared in {self.source.display_dir}")
        children = self.children(name)
        block = entry[0]
        if isinstance(children, Unknown):
            return _UnknownOutputs(f"module.{name}", lambda o: Unknown(
                f"{self.prefix}module.{name}.{o}", MODULE, loc, hint=children.hint))
        unknown = children[0][0].unknown
        if unknown is not None:
            return UnknownInstances(f"{self.prefix}module.{name}", unknown.kind, block.loc, unknown.describe(),
                                    any_instance=_OutputNamespace(children[0][1]))
        namespaces = [(expansion.key, _OutputNamespace(child)) for expansion, child in children
                      if expansion.active or self.sees_inactive]
        if "count" in block.body.attributes:
            return LList([n for _, n in namespaces], block.loc)
        if "for_each" in block.body.attributes:
            return LDict({str(k): n for k, n in namespaces}, block.loc)
        return namespaces[0][1]

    def children(self, name: str):
        """``[(Expansion, ModuleInstance)]`` for a module call, or an ``Unknown``
        saying why it could not be analyzed."""
        if name in self._children:
            return self._children[name]
        self._children[name] = Unknown(f"module.{name}", MODULE, hint=f"module.{name} calls itself")
        self._children[name] = self._real._make_children(name)  # with the inputs in use
        return self._children[name]

    def _make_children(self, name: str):
        block, file = self.source.calls[name]
        address = f"{self.prefix}module.{name}"
        source_attr = block.body.attributes.get("source")
        source = self.evaluator.value(source_attr.expr, self.scope(file)) if source_attr else None
        if not isinstance(source, str):
            return self._not_analyzed(name, block, file, str(source), "its source is not a literal string")
        key = f"{self.module_key}.{name}" if self.module_key else name
        directory, why = self._module_dir(source, key) if "\x00" not in source else (None, NUL_SOURCE)
        if directory is None and (why.endswith(OUTSIDE) or why == NUL_SOURCE):
            # The module is there, and its findings would be: the input is not analyzed (SES001).
            self.problems.append(InputProblem(block.loc.file, f"{address}: {why}", block.loc.line, block.loc.column))
        if directory is None:
            return self._not_analyzed(name, block, file, source, why)
        if directory in self.chain or directory == self.source.dir:
            return self._not_analyzed(name, block, file, source, "the module calls itself")
        child_source = self.loader.read_module(directory)
        children = []
        for expansion in self.expand(block.body, file):
            inputs = {arg: _lazy(self.evaluator, attribute, expansion.scope,
                                 Hop(attribute.loc, f"{expansion.address(address)} argument {arg}"))
                      for arg, attribute in block.body.attributes.items() if arg not in META_ARGUMENTS}
            active = self.active and expansion.active
            reason = self.reason or (f"{expansion.address(address)}: {expansion.reason}" if not expansion.active else "")
            prefix = expansion.address(address) + "."
            conditional = self.conditional or (f"{expansion.address(address)}: {expansion.conditional}"
                                               if expansion.conditional else "")
            child = ModuleInstance(self.loader, child_source, prefix, inputs,
                                   self.root_dir, self.chain + (self.source.dir,), active, reason,
                                   self.modules_json, key, self.deployment, conditional, self.workspace)
            self.deployment.calls[prefix] = block.loc
            children.append((expansion, child))
        return children

    def _module_dir(self, source: str, key: str):
        if source.startswith(("./", "../")) or source in (".", ".."):
            directory = os.path.realpath(os.path.join(self.source.dir, source))
            if not _inside(directory, self.loader.root_dir):
                return None, f"its source {source} is {OUTSIDE}"
            reads.note(directory)
            if not os.path.isdir(directory):
                return None, f"its source directory {source} does not exist"
            return directory, ""
        entry = self.modules_json.get(key)
        if entry:
            directory = os.path.realpath(os.path.join(self.root_dir, entry))
            reads.note(directory)
            if _inside(directory, self.loader.root_dir) and os.path.isdir(directory):
                return directory, ""
        return None, (f"its source {source} is not downloaded; run terraform init "
                      "(sesguard reads .terraform/modules/modules.json) to analyze it")

    def downloaded_callees(self) -> list:
        """The directories of the downloaded modules (``modules.json``) that
        the module calls of this instance reach, directly or not."""
        prefix = f"{self.module_key}."
        return [os.path.realpath(os.path.join(self.root_dir, directory))
                for key, directory in self.modules_json.items() if key.startswith(prefix)]

    def _not_analyzed(self, name, block, file, source, why):
        address = f"{self.prefix}module.{name}"
        self.not_analyzed.append((address, source, why, block.loc))
        return Unknown(address, MODULE, block.loc, hint=f"{address} was not analyzed: {why}")

    def output(self, name: str, loc: Location):
        entry = self.source.outputs.get(name)
        if entry is None:
            raise EvalError(f"{self.prefix}output {name!r} is not declared in {self.source.display_dir}")
        block, file = entry
        value = block.body.attributes.get("value")
        if value is None:
            return None
        return self.guarded(("output", name), lambda: self.evaluator.value(value.expr, self.scope(file)),
                            f"{self.prefix}{name}")


class _UnknownOutputs(Namespace):
    """A module call that was not analyzed: its instance, whose outputs are unknown."""


class _OutputNamespace(Namespace):
    def __init__(self, instance: ModuleInstance):
        super().__init__(instance.prefix.rstrip("."), lambda n: instance.output(n, None))


def count_number(value):
    """A known ``count`` value as Terraform takes it: converted to a number
    (``"3"`` is 3, as for a ``number`` variable), which must be whole and not
    negative; an unknown stays unknown. Raises ``EvalError``."""
    if isinstance(value, str):
        try:
            value = call("tonumber", [value], None)
        except FunctionError:
            raise EvalError(f'count must be a number, and "{value}" is not one') from None
        if isinstance(value, Unknown):
            return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise EvalError(f"count must be a whole number, not a {type_name(value)}")
    if isinstance(value, float) and not math.isfinite(value):  # 1e309 is infinity
        raise EvalError(f"count must be a whole number, not {value!r}")
    if value != int(value):
        raise EvalError(f"count must be a whole number, not {value!r}")
    if value < 0:
        raise EvalError(f"count must not be negative ({value!r})")
    return int(value)


def _lazy(evaluator: Evaluator, attribute: Attribute, scope: Scope, hop: Hop):
    """A module argument, evaluated once when the module first reads it; the
    value records that it passed the argument."""
    cache = []

    def get():
        if not cache:
            cache.append(passed(evaluator.value(attribute.expr, scope), hop))
        return cache[0]

    return get


def _conditional(argument: str, unknown: Unknown) -> str:
    """Why a block whose ``count`` or ``for_each`` is unknown may not exist as evaluated."""
    return f"which instances exist depends on its {argument}, which is not known: {unknown.describe()}"


def _each_pairs(items, as_list: bool = False):
    if isinstance(items, dict):
        return [(k, items[k]) for k in sorted(items)]
    if isinstance(items, list):
        if as_list:
            return list(enumerate(items))
        keys = []
        for item in items:
            if not isinstance(item, str):
                return None
            keys.append(item)
        return [(k, k) for k in sorted(set(keys))]
    return None


def _described(value) -> str:
    if isinstance(value, list):
        kinds = sorted({type_name(v) for v in value if not isinstance(v, str)})
        return f"a list holding {', '.join(kinds)} values" if kinds else "a list"
    return f'"{value}"' if isinstance(value, str) else f"a {type_name(value)}"


def _identifier(expr) -> Optional[str]:
    if isinstance(expr, Tree):
        names = [str(t) for t in expr.scan_values(lambda v: getattr(v, "type", "") == "NAME")]
        return names[0] if len(names) == 1 else None
    return None


def _show(value) -> str:
    if isinstance(value, Unknown):
        return "(unknown)"
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)


def _inside(path: str, root: str) -> bool:
    root = os.path.realpath(root)
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


