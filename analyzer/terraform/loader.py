"""The Terraform loader: discovered module directories into the model.

Module directories called by another scanned module are evaluated through
each call, with that caller's inputs; the others are roots, evaluated with
their tfvars, ``--var-file`` and ``--var`` values in Terraform's order of
precedence (later wins): variable defaults, ``TF_VAR_`` environment
variables (when the scan passes them), ``terraform.tfvars``,
``terraform.tfvars.json``, ``*.auto.tfvars(.json)`` in lexical order,
``--var-file`` in order, ``--var`` in order.

Files are read and parsed within the scan's ``Limits``, through the parse
cache when the scan has one (``TerraformFiles``). The parser, the evaluator
and the adapter are imported when first needed: a scan whose root modules
all come from the evaluation cache never loads them (about a third of a
re-scan's start-up, measured with ``python -X importtime``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from analyzer import jsonloc, memory, reads
from analyzer.budget import OutOfTime, expirations, limited, paused
from analyzer.discover import Discovery
from analyzer.errors import InternalError, failure
from analyzer.files import Limits, display, placed, read_text
from analyzer.model import ERROR, InputProblem, Model, Unknown
from analyzer.send_text import grants_send
from analyzer.suppress import from_comment
from analyzer.terraform import workers
from analyzer.terraform.evaluations import Entry, Evaluations, SourceRecord, apply, fingerprints, mark, since
from analyzer.terraform.modules_json import read_modules_json
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
        self.cache = cache  # an analyzer.cache.ParseCache: parse trees, and evaluated roots (evaluations)
        self.keep_parses = True  # False: read parse entries, write none (analyzer.terraform.evaluations)

    def read(self, path: str):
        """``(text, problem)``, as ``analyzer.files.read_text``."""
        return read_text(path, self.limits)

    def parse(self, path: str, shown: str, text: str):
        """The ``ParsedFile``; raises ``ParseError``, also when parsing takes
        longer than the scan's budget (charged to the file alone, not to an
        evaluation that asked for it)."""
        from analyzer.terraform.parse import ParseError, prepare_parser

        def ran_out(exc: OutOfTime):  # the file as a whole: at its first line (every SES001 has one)
            raise ParseError(f"{exc}; not analyzed", 1, 1) from None

        if not path.endswith(".json"):
            with paused():
                prepare_parser()
        try:
            with limited(self.limits.max_file_seconds, ran_out, apart=True):
                return self._parse(path, shown, text)
        except MemoryError as exc:
            raise ParseError(f"{memory.ran_out(exc)}; not analyzed", 1, 1) from None

    def _parse(self, path: str, shown: str, text: str):
        from analyzer.terraform.parse import ParsedFile, parse_hcl, parse_tf_json

        if path.endswith(".json"):
            return parse_tf_json(shown, text, self.limits)
        if self.cache is None:
            return parse_hcl(shown, text, self.limits)
        key = self.cache.key("hcl", self.limits.max_depth, shown, text)
        cached = self.cache.get(key)
        if isinstance(cached, ParsedFile) and cached.path == shown and cached.text == text:
            return cached
        parsed = parse_hcl(shown, text, self.limits)
        if self.keep_parses:
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
    from analyzer.terraform.evaluate import Evaluator, Scope
    from analyzer.terraform.functions import CallContext
    from analyzer.terraform.parse import ParseError

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
                                      render_template=None, limits=files.limits, calls=False))
    scope = Scope(_literal_only, shown)
    return {name: evaluator.value(attr.expr, scope) for name, attr in parsed.body.attributes.items()}


def _literal_only(name, loc):
    from analyzer.terraform.eval_error import EvalError

    raise EvalError(f"a variable value must be a literal, and {name} is a reference")


def parse_cli_value(text: str, var_block, limits: Limits = Limits(), given: str = ""):
    """A ``--var`` value: a string for string variables, else an HCL literal;
    ``given``: where it came from, for the message (default: the ``--var``)."""
    from analyzer.terraform.evaluate import Evaluator, Scope
    from analyzer.terraform.functions import CallContext
    from analyzer.terraform.parse import ParseError, parse_hcl

    type_attr = var_block.body.attributes.get("type") if var_block is not None else None
    if type_attr is None or _type_name(type_attr.expr) == "string":
        return text
    try:
        parsed = parse_hcl("--var", f"v = {text}\n", limits)
    except ParseError as exc:
        name = var_block.labels[0]
        given = given or f"--var {name}={text}"
        return Unknown(f"{given} is not a valid value for var.{name}: {exc.message}", ERROR)
    evaluator = Evaluator(CallContext(module_dir=".", root_dir=".", render_template=None, limits=limits, calls=False))
    return evaluator.value(parsed.body.attributes["v"].expr, Scope(_literal_only, "--var"))


def _type_name(expr) -> str:
    tokens = [str(t) for t in expr.scan_values(lambda v: True)] if hasattr(expr, "scan_values") else []
    return tokens[0] if len(tokens) == 1 else ""


class TerraformScan:
    """Loads every relevant module of one discovered path into a model."""

    def __init__(self, discovery: Discovery, variables: Variables, model: Model, progress=None,
                 files: TerraformFiles = TerraformFiles(), jobs: int = 1):
        self.jobs = jobs  # worker processes evaluating the root modules (analyzer.terraform.workers)
        self.progress = progress or (lambda message: None)
        self.discovery = discovery
        self.variables = variables
        self.model = model
        self.files = files
        self.sources: dict = {}  # module directory -> ModuleSource, parsed in this scan
        self.records: dict = {}  # module directory -> SourceRecord: what reading it adds to the model, once
        self._reading: list = []  # the sets of module directories read by the root modules being evaluated
        self._loader = None
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
        self.evaluations = Evaluations(files.cache, self._fingerprint(), files.limits) if files.cache else None

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

    @property
    def loader(self):
        """The ``analyzer.terraform.modules.Loader`` of the scan, made when first evaluating."""
        if self._loader is None:
            from analyzer.terraform.modules import Loader

            self._loader = Loader(self.discovery.boundary, self.read_module, os.getcwd(), self.files.limits)
        return self._loader

    def _fingerprint(self) -> str:
        """What the scan gives every root module, for the evaluation cache's key."""
        variables = self.variables
        given = [(path, scope, reads.fingerprint(path)) for path, scope, _ in self.cli_files]
        return repr((given, variables.pairs, variables.environment, variables.workspace,
                     sorted(variables.by_directory.items()), self.discovery.boundary, self.files.limits))

    def read_module(self, directory: str):
        module = self.discovery.modules.get(directory) or self.discovery.add_module(directory)
        files = module.files if module else []
        for path in [directory] + files:  # what the module is, for every root that reads it
            reads.note(path)
        if directory not in self.sources:
            from analyzer.terraform.sources import load_module_source

            source = load_module_source(directory, display(directory), files, self.files.read, display,
                                        self.files.parse)
            problems = [InputProblem(file, message, line, column) for file, message, line, column in source.problems]
            suppressions = [s for parsed in source.files for s in (from_comment(parsed.path, line, text)
                                                                   for line, text in parsed.comments) if s]
            self.records.setdefault(directory, SourceRecord(len(files), problems, suppressions))
            self.loader.problem_places.update((p.file, p.line) for p in problems)
            self.sources[directory] = source
        for read in self._reading:  # only once its record is there: reading it may fail
            read.add(directory)
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

        evaluated = self._evaluate_in_workers(roots)
        for directory in roots:
            if directory in evaluated:
                self._add(evaluated[directory], reached)
            else:
                self._scan_root_cached(directory, relevant_and_seen(directory), reached)
        for directory in sorted(relevant - reached - set(roots) - self.evaluated_elsewhere):
            self._scan_root_cached(directory, relevant_and_seen(directory), reached)
        for _, record in sorted(self.records.items()):
            self.model.problems.extend(record.problems)
            self.model.suppressions.extend(record.suppressions)
            self.model.files += record.files
        self.model.link_identities()
        self.skipped = [(d, self.discovery.skip_reason(d)) for d in sorted(self.discovery.modules)
                        if d not in self.records]

    def _evaluate_in_workers(self, roots: list) -> dict:
        """``{root: Entry}``: the valid cache entries, and, when enough roots
        are left to evaluate (``workers.WORTH_IT``), what the workers evaluated."""
        if len(roots) < workers.WORTH_IT or self.jobs == 1:
            return {}
        jobs = workers.count(self.jobs)
        if jobs < 2:
            return {}
        found, missing = {}, []
        for directory in roots:
            entry, outdated = self._lookup(directory)
            if entry is not None:
                found[directory] = entry
            else:
                missing.append((directory, outdated))
        if len(missing) >= workers.WORTH_IT:
            found.update(workers.evaluate(self, missing, jobs))
        return found

    def _scan_root_cached(self, directory: str, relevant, reached: set) -> None:
        """Evaluate one root, or add what its still valid evaluation cache entry holds."""
        if self.evaluations is None:
            self._scan_root_safely(directory, relevant)
            return
        entry, outdated = self._lookup(directory)
        if entry is not None:
            self.progress(f"evaluated {display(directory)} (cached)")
            self._add(entry, reached)
        else:
            try:
                self._evaluate_and_keep(directory, relevant, outdated)
            except Exception as exc:  # recording what the guarded evaluation read: a bug of ours, on this root
                self.model.problems.append(failure(display(directory), "recording this module's evaluation", exc))

    def _lookup(self, directory: str) -> tuple:
        """``analyzer.terraform.evaluations.Evaluations.get`` for one root: ``(valid entry or None, outdated)``."""
        if self.evaluations is None:
            return None, False
        return self.evaluations.get(directory, display(directory),
                                    lambda callee: self.discovery.relevant_callee(callee, directory))

    def evaluate_for_entry(self, directory: str, outdated: bool) -> Entry:
        """In a worker (analyzer.terraform.workers): evaluate one root the cache holds no valid entry for."""
        return self._evaluate_and_keep(directory, lambda callee: self.discovery.relevant_callee(callee, directory),
                                       outdated)

    def _evaluate_and_keep(self, directory: str, relevant, outdated: bool) -> Entry:
        """Evaluate one root into the model; its entry, kept in the cache when it may be."""
        entry, keep = self._evaluate_recorded(directory, relevant, outdated)
        if keep and self.evaluations is not None:
            self.evaluations.put(directory, display(directory), entry)
        return entry

    def _add(self, entry: Entry, reached: set) -> None:
        """Add what an entry says one root's evaluation added, as evaluating it would."""
        apply(self.model, entry.delta)
        for callee, record in entry.sources.items():
            if callee not in self.discovery.modules:  # a module outside the scanned paths, as reading it adds
                self.discovery.add_module(callee)
            self.records.setdefault(callee, record)
        reached.update(callee for callee, _ in entry.callees)
        self.variables.applied.update(entry.applied)

    def _evaluate_recorded(self, directory: str, relevant, outdated: bool) -> tuple:
        """Evaluate one root into the model: ``(its Entry, whether it may be kept)``.
        ``outdated``: the root had an entry, so it is being edited (its parse entries are written)."""
        asked: list = []

        def asking(callee: str) -> bool:
            answer = relevant(callee)
            asked.append((callee, answer))
            return answer

        before, used, problems = mark(self.model), set(self.variables.applied), len(self.model.problems)
        expired, failed = expirations(), memory.failures()
        read: set = set()
        self._reading.append(read)
        self.files.keep_parses = outdated
        try:
            with reads.recording() as paths:
                self._scan_root_safely(directory, asking)
        finally:
            self._reading.remove(read)
            self.files.keep_parses = True
        entry = Entry(fingerprints(paths) if self.evaluations else (), tuple(dict.fromkeys(asked)),
                      tuple(sorted(self.variables.applied - used)), {d: self.records[d] for d in sorted(read)},
                      since(self.model, before))
        # a bug of ours is found again by every scan, and a budget or memory that ran out may not on another day
        return entry, (expirations(), memory.failures()) == (expired, failed) and not any(
            isinstance(p, InternalError) for p in self.model.problems[problems:])

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
            self.model.problems.append(failure(display(directory), "evaluating this module", exc))

    def _scan_root(self, directory: str, relevant) -> None:
        from analyzer.terraform.adapter import adapt
        from analyzer.terraform.modules import ModuleInstance

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
