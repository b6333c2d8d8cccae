"""Module directories as parsed: a ``ModuleSource`` is one directory's
files with the blocks they declare; ``undeclared_references`` is the check ``terraform validate`` makes of variables, locals and module
calls."""

from __future__ import annotations

from dataclasses import dataclass, field

from lark import Tree

from analyzer.files import placed
from analyzer.terraform.parse import Body, ParsedFile, ParseError, location, subtrees


@dataclass
class ModuleSource:
    """The parsed files of one module directory."""

    dir: str  # absolute
    display_dir: str  # relative to the current directory
    files: list = field(default_factory=list)  # ParsedFile
    variables: dict = field(default_factory=dict)  # name -> Block
    locals: dict = field(default_factory=dict)  # name -> (Attribute, file)
    resources: dict = field(default_factory=dict)  # (type, name) -> (Block, file)
    data: dict = field(default_factory=dict)  # (type, name) -> (Block, file)
    calls: dict = field(default_factory=dict)  # name -> (Block, file)
    outputs: dict = field(default_factory=dict)  # name -> (Block, file)
    providers: dict = field(default_factory=dict)  # provider name -> (Block, file) of its default (no alias)
    problems: list = field(default_factory=list)  # (file, message, line, column)

    @property
    def resource_types(self) -> set:
        return {t for t, _ in self.resources}

    def add(self, parsed: ParsedFile) -> None:
        self.files.append(parsed)
        for block in parsed.body.blocks:
            kind, labels = block.type, block.labels
            if kind == "variable" and len(labels) == 1:
                self.variables[labels[0]] = block
            elif kind == "locals":
                for name, attribute in block.body.attributes.items():
                    self.locals[name] = (attribute, parsed.path)
            elif kind == "resource" and len(labels) == 2:
                self.resources[(labels[0], labels[1])] = (block, parsed.path)
            elif kind == "data" and len(labels) == 2:
                self.data[(labels[0], labels[1])] = (block, parsed.path)
            elif kind == "module" and len(labels) == 1:
                self.calls[labels[0]] = (block, parsed.path)
            elif kind == "output" and len(labels) == 1:
                self.outputs[labels[0]] = (block, parsed.path)
            elif kind == "provider" and len(labels) == 1 and "alias" not in block.body.attributes:
                self.providers[labels[0]] = (block, parsed.path)

def load_module_source(directory: str, display_dir: str, files: list, read_text, display, parse) -> ModuleSource:
    """Parse the Terraform files of one directory.

    ``read_text(path)`` returns ``(text, problem)``; ``display(path)`` the
    path as shown to the user; ``parse(path, shown, text)`` the
    ``ParsedFile``, or raises ``ParseError``. Parse errors become problems
    with positions.
    """
    source = ModuleSource(directory, display_dir)
    for path in files:
        shown = display(path)
        text, problem = read_text(path)
        if problem:
            source.problems.append((shown, *placed(problem)))
            continue
        try:
            parsed = parse(path, shown, text)
        except ParseError as exc:
            source.problems.append((shown, f"cannot parse: {exc.message}", exc.line, exc.column))
            continue
        source.add(parsed)
    source.problems.extend(undeclaredreferences(source))
    return source

def undeclaredreferences(source: ModuleSource) -> list:
    """``(file, message, line, column)`` for each reference to a variable,
    local value or module call the module does not declare, wherever it is
    written (as ``terraform validate`` rejects them); references that are
    only evaluated, to resources and outputs, are checked when evaluated."""
    declared = {"var": source.variables, "local": source.locals, "module": source.calls}
    problems = []
    for parsed in source.files:
        for attribute in _attributes(parsed.body):
            for text, node in references(attribute.expr, tuple(declared)):
                root, name = text.split(".", 1)
                if name not in declared[root]:
                    loc = location(parsed.path, node)
                    problems.append((parsed.path, f"reference to an undeclared {_KINDS[root]}: {text} is not "
                                                  f"declared in {source.display_dir}", loc.line, loc.column))
    return problems

def _attributes(body: Body):
    for attribute in body.attributes.values():
        yield attribute
    for block in body.blocks:
        yield from _attributes(block.body)

_KINDS = {"var": "input variable", "local": "local value", "module": "module call"}

def references(expr, roots=("var", "local")):
    """``(text, tree)`` for each ``var.x`` / ``local.x`` (each ``root.x``
    for ``roots``) an expression reads."""
    if not isinstance(expr, Tree):
        return
    for node in expr.iter_subtrees_topdown():
        if node.data == "get_attr_expr_term":
            base, attr = subtrees(node)
            inner = subtrees(base)
            if len(inner) == 1 and inner[0].data == "identifier" and str(inner[0].children[0]) in roots:
                name = str(subtrees(attr)[0].children[0])
                yield f"{inner[0].children[0]}.{name}", node
