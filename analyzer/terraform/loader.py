"""The Terraform loader: discovered module directories into the model.

Module directories called by another scanned module are evaluated through
each call, with that caller's inputs; the others are roots, evaluated with
their tfvars, ``--var-file`` and ``--var`` values in Terraform's order of
precedence (later wins): variable defaults, ``TF_VAR_`` environment
variables (when the scan passes them), ``terraform.tfvars``,
``terraform.tfvars.json``, ``*.auto.tfvars(.json)`` in lexical order,
``--var-file`` in order, ``--var`` in order.

Files are read and parsed within the scan's ``Limits``, through the parse
cache when the scan has one (``TerraformFiles``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from analyzer import jsonloc
from analyzer.budget import OutOfTime, limited, paused
from analyzer.discover import Discovery
from analyzer.errors import internal_error
from analyzer.files import Limits, display, placed, read_text
from analyzer.model import ERROR, InputProblem, Model, Unknown
from analyzer.send_text import grants_send
from analyzer.suppress import from_comment
from analyzer.terraform.adapter import adapt, link_identities
from analyzer.terraform.evaluate import EvalError, Evaluator, Scope
from analyzer.terraform.functions import CallContext
from analyzer.terraform.modules import Loader, ModuleInstance
from analyzer.terraform.sources import load_module_source, read_modules_json
from analyzer.terraform.parse import ParsedFile, ParseError, parse_hcl, parse_tf_json, prepare_parser
from analyzer.terraform.workspace import workspace_of


@dataclass
class Variables:
    """Values given to a scan: ``--var-file`` paths and ``--var`` pairs for
    the root modules, and variable files per root module directory (from
    the configuration file), applied before them. A ``--var-file`` in
    ``scopes`` applies only to the root module of that directory, the others
    to every root."""

    files: list = field(default_factory=list)
    scopes: dict = field(default_factory=dict)  # --var-file path -> real directory of its root module
    applied: set = field(default_factory=set)  # filled by the scan: every variable file some root used
    pairs: list = field(default_factory=list)  # (name, text)
    environment: list = field(default_factory=list)  # (name, text) of the TF_VAR_ environment variables
    workspace: str = ""  # --workspace, else TF_WORKSPACE; "" for each root's recorded one, else default
    by_directory: dict = field(default_factory=dict)  # real directory -> [var file paths]


class VariableFileError(Exception):
    """A ``--var-file`` that cannot be read: a usage error."""


class TerraformFiles:
    """Reads and parses the Terraform files of one scan: within its limits,
    and through the parse cache (``analyzer.cache``) when it has one."""

    def __init__(self, limits: Limits = Limits(), cache=None):
        self.limits = limits
        self.cache = cache

    def read(self, path: str):
        """``(text, problem)``, as ``analyzer.files.read_text``."""
        return read_text(path, self.limits)

    def parse(self, path: str, shown: str, text: str) -> ParsedFile:
        """The parsed file; raises ``ParseError``, also when parsing takes
        longer than the scan's budget (charged to the file alone, not to an
        evaluation that asked for it)."""
        def ran_out(exc: OutOfTime):
            raise ParseError(f"{exc}; not analyzed") from None

        if not path.endswith(".json"):
            with paused():
                prepare_parser()
        with limited(self.limits.max_file_seconds, ran_out, apart=True):
            return self._parse(path, shown, text)

    def _parse(self, path: str, shown: str, text: str) -> ParsedFile:
        if path.endswith(".json"):
            return parse_tf_json(shown, text, self.limits)
        if self.cache is None:
            return parse_hcl(shown, text, self.limits)
        key = self.cache.key("hcl", self.limits.max_depth, shown, text)
        cached = self.cache.get(key)
        if isinstance(cached, ParsedFile) and cached.path == shown and cached.text == text:
            return cached
        parsed = parse_hcl(shown, text, self.limits)
        self.cache.put(key, parsed)
        return parsed


def load_var_file(path: str, model: Model, files: TerraformFiles):
    """The values a tfvars file assigns, or None (problem recorded): read,
    parsed and evaluated within the scan's budget for one file."""
    shown = display(path)

    def ran_out(exc: OutOfTime):
        model.problems.append(InputProblem(shown, f"reading this variable file {exc}; not analyzed"))

    with limited(files.limits.max_file_seconds, ran_out):
        return _var_file_values(path, shown, model, files)
    return None


def _var_file_values(path: str, shown: str, model: Model, files: TerraformFiles):
    text, problem = files.read(path)
    if problem:
        model.problems.append(InputProblem(shown, *placed(problem)))
        return None
    if path.endswith(".json"):
        try:
            value = jsonloc.loads(text, shown, limits=files.limits).value
        except jsonloc.JSONLocError as exc:
            model.problems.append(InputProblem(shown, f"cannot parse: {exc.message}", exc.line, exc.column))
            return None
        if not isinstance(value, dict):
            model.problems.append(InputProblem(shown, "a .tfvars.json file must hold a JSON object", 1, 1))
            return None
        return dict(value)
    try:
        parsed = files.parse(path, shown, text)
    except ParseError as exc:
        model.problems.append(InputProblem(shown, f"cannot parse: {exc.message}", exc.line, exc.column))
        return None
    evaluator = Evaluator(CallContext(module_dir=os.path.dirname(path), root_dir=os.path.dirname(path),
                                      render_template=None, limits=files.limits))
    scope = Scope(_literal_only, shown)
    return {name: evaluator.value(attr.expr, scope) for name, attr in parsed.body.attributes.items()}


def _literal_only(name, loc):
    raise EvalError(f"a variable value must be a literal, and {name} is a reference")


def parse_cli_value(text: str, var_block, limits: Limits = Limits(), given: str = ""):
    """A ``--var`` value: a string for string variables, else an HCL literal;
    ``given``: where it came from, for the message (default: the ``--var``)."""
    type_attr = var_block.body.attributes.get("type") if var_block is not None else None
    if type_attr is None or _type_name(type_attr.expr) == "string":
        return text
    try:
        parsed = parse_hcl("--var", f"v = {text}\n", limits)
    except ParseError as exc:
        name = var_block.labels[0]
        given = given or f"--var {name}={text}"
        return Unknown(f"{given} is not a valid value for var.{name}: {exc.message}", ERROR)
    evaluator = Evaluator(CallContext(module_dir=".", root_dir=".", render_template=None, limits=limits))
    return evaluator.value(parsed.body.attributes["v"].expr, Scope(_literal_only, "--var"))


def _type_name(expr) -> str:
    tokens = [str(t) for t in expr.scan_values(lambda v: True)] if hasattr(expr, "scan_values") else []
    return tokens[0] if len(tokens) == 1 else ""


class TerraformScan:
    """Loads every relevant module of one discovered path into a model."""

    def __init__(self, discovery: Discovery, variables: Variables, model: Model, progress=None,
                 files: TerraformFiles = TerraformFiles()):
        self.progress = progress or (lambda message: None)
        self.discovery = discovery
        self.variables = variables
        self.model = model
        self.files = files
        self.sources: dict = {}
        self.loader = Loader(discovery.boundary, self.read_module, os.getcwd(), files.limits)
        self.skipped: list = []  # (directory, why): the modules the pre-filter skipped
        # module directories another loader (Terragrunt) evaluated with its inputs: never roots of their own
        self.evaluated_elsewhere: set = set()
        self.cli_files = []
        for path in variables.files:
            values = load_var_file(path, model, files)
            if values is None:
                problem = model.problems.pop()
                where = f":{problem.line}" if problem.line else ""
                raise VariableFileError(f"cannot use --var-file {path}{where}: {problem.message}")
            self.cli_files.append((path, variables.scopes.get(path), values))
        self._note_variables()

    def _note_variables(self) -> None:
        """Tell the pre-filter about the values given to the scan that can grant a send action."""
        def text_grants(path: str) -> bool:
            text, problem = self.files.read(path)
            return bool(problem) or grants_send(text.encode("utf-8"))

        if any(text_grants(p) for p in self.variables.files) or any(
                grants_send(text.encode("utf-8")) for _, text in self.variables.pairs + self.variables.environment):
            self.discovery.inputs_grant_send = True
        for directory, paths in self.variables.by_directory.items():
            module = self.discovery.modules.get(directory)
            if module is not None and any(text_grants(p) for p in paths):
                module.grants_send = True

    def read_module(self, directory: str):
        if directory not in self.sources:
            module = self.discovery.modules.get(directory) or self.discovery.add_module(directory)
            files = module.files if module else []
            source = load_module_source(directory, display(directory), files, self.files.read, display,
                                        self.files.parse)
            for file, message, line, column in source.problems:
                self.model.problems.append(InputProblem(file, message, line, column))
            for parsed in source.files:
                for line, text in parsed.comments:
                    suppression = from_comment(parsed.path, line, text)
                    if suppression:
                        self.model.suppressions.append(suppression)
            self.model.files += len(files)
            self.sources[directory] = source
        return self.sources[directory]

    def run(self) -> None:
        relevant = {d for d in list(self.discovery.modules) if self.discovery.relevant(d)}
        called = set()
        for directory in relevant:
            module = self.discovery.modules[directory]
            called.update(c for c in module.local_calls if c in relevant)
        roots = sorted(relevant - called - self.evaluated_elsewhere)
        reached: set = set()

        def relevant_and_seen(root: str):
            def relevant_callee(directory: str) -> bool:
                reached.add(directory)
                return self.discovery.relevant_callee(directory, root)
            return relevant_callee

        for directory in roots:
            self._scan_root_safely(directory, relevant_and_seen(directory))
        for directory in sorted(relevant - reached - set(roots) - self.evaluated_elsewhere):
            self._scan_root_safely(directory, relevant_and_seen(directory))
        link_identities(self.model)
        self.skipped = [(d, self.discovery.skip_reason(d)) for d in sorted(self.discovery.modules)
                        if d not in self.sources]

    def _scan_root_safely(self, directory: str, relevant) -> None:
        """Evaluate one root; if that fails, report the module and go on with the others."""
        self.progress(f"evaluating {display(directory)}")

        def ran_out(exc: OutOfTime):
            self.model.problems.append(InputProblem(
                display(directory), f"evaluating this root module, with the modules it calls, {exc}; "
                                    "not analyzed in full"))

        try:
            with limited(self.files.limits.max_file_seconds, ran_out):
                self._scan_root(directory, relevant)
        except RecursionError:
            self.model.problems.append(InputProblem(display(directory), "the configuration is nested too "
                                                                        "deeply to evaluate"))
        except Exception as exc:  # a bug of ours must not hide the other modules, nor pass as clean
            self.model.problems.append(internal_error(display(directory), "evaluating this module", exc))

    def _scan_root(self, directory: str, relevant) -> None:
        source = self.read_module(directory)
        module = self.discovery.modules.get(directory)
        deployment = self.model.deployment(display(directory), "terraform")
        workspace = workspace_of(directory, self.variables.workspace, self.discovery.boundary, self.files.limits)
        if workspace.file:
            deployment.inputs.append(workspace.file)
        if workspace.problem:
            self.model.problems.append(InputProblem(workspace.file, workspace.problem))
        values: dict = {name: parse_cli_value(text, source.variables.get(name), self.files.limits,
                                              f"the environment variable TF_VAR_{name}")
                        for name, text in self.variables.environment}
        for path in (module.var_files if module else []) + self.variables.by_directory.get(directory, []):
            deployment.inputs.append(display(path))
            loaded = load_var_file(path, self.model, self.files)
            self.variables.applied.add(path)
            if loaded:
                values.update(loaded)
        for path, scope, loaded in self.cli_files:
            if scope is None or scope == directory:
                deployment.inputs.append(display(path))
                values.update(loaded)
                self.variables.applied.add(path)
        for name, text in self.variables.pairs:
            values[name] = parse_cli_value(text, source.variables.get(name), self.files.limits)
        inputs = {name: (lambda v=value: v) for name, value in values.items() if name in source.variables}
        instance = ModuleInstance(self.loader, source, "", inputs, directory,
                                  modules_json=read_modules_json(directory), deployment=deployment,
                                  workspace=workspace.name)
        adapt(instance, self.model, relevant)
