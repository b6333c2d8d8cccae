"""The HCL parser: python-hcl2's grammar and post-lexer, built by Lark
without position propagation, and kept compiled in sesguard's cache
directory.

**No propagated positions.** python-hcl2 builds its parser with
``propagate_positions``: on every rule it reduces, Lark looks for the first
and last positioned child to give the new tree a position. That was half of
Lark's parse time (measured on the SES-dense corpus: 0.59 s against 0.29 s
for 400 files), for positions read on a few hundred trees a scan. Every
terminal of python-hcl2's grammar is named, so every token stays in the
tree, and a tree's position is the span from its first token to its last:
``analyzer.terraform.parse.location`` computes it when asked. Checked equal
to Lark's propagated positions on every tree of the fixtures and of the
shared corpus (2,339 files, 954,659 trees).

**The compiled grammar.** Building the LALR tables from ``hcl2.lark`` takes
about 1.2 s; python-hcl2 keeps them in a file inside its own package, which
a read-only installation cannot write, so there every run rebuilt them.
sesguard keeps its own compiled grammar in the cache directory
(``analyzer.cache``: owner-only, checked before use), named after a digest
of the grammar text, Lark's, python-hcl2's and Python's versions and the
options, so a file of another version is never read. It is written to a
temporary file and renamed into place: a concurrent run reads the whole file
or builds its own. Without a usable cache directory (``--no-cache``, or a
directory not safe to use), the parser is built in memory, once per process.

**The parser as Python objects.** Lark's own saved form is rebuilt object by
object in Python when loaded (``Lark.load``: 80-120 ms, the largest part of
a pre-commit run on one changed file). The parser is kept instead as a
pickle of the built Lark object, which Python's C unpickler restores in
17-35 ms. Two things Lark does not expect of a pickle are handled: modules
it holds (``re``) are pickled by name, and its ``Shift``/``Reduce``
actions, which the LALR parser tells apart by identity, by reference to
Lark's own objects. Whether the restored parser is the built one is checked
when it is made, on a text that exercises the grammar and on a text it must
reject (``_SAMPLES``); if any differs (another Lark), Lark's saved form is
kept instead (``.lark``), and read as before.

**Long tokens in constant memory.** Python's regular expression engine keeps
a backtracking record for each repetition of a group: a quoted string, a
block comment or a heredoc of 10 MB took over 2 GB to lex (about 140 bytes
per character). Three of python-hcl2's terminals are compiled in an
equivalent form that keeps none: ``(.|\n)`` inside comments and heredocs is
the one-character class ``[\\s\\S]`` (``_CONSTANT_MEMORY``), and on Python
3.11.5 and later the string characters' group is possessive
(``_POSSESSIVE``: nothing follows it in the terminal, so it never gives
characters back; gh-100061 made it wrong before). A terminal whose text is
not as expected (another python-hcl2) is left as it is; the trees are the
same either way (tests/test_grammar.py), and ``--max-memory`` bounds the rest.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import sys
from typing import Callable, Optional

_OPTIONS = {"parser": "lalr", "propagate_positions": False}
_PICKLE_FORMAT = "1"  # what ``_pickled`` writes: change it when the pickler changes
# python-hcl2's terminal text -> the same language without a backtracking record per character (see above)
_POSSESSIVE = {
    r'STRING_CHARS.1: /(?:(?!\$\$\{)(?!\$\{)(?!%%\{)(?!%\{)[^"\\]|\\.|(?:\$(?!\$?\{))|(?:%(?!%?\{)))+/':
        r'STRING_CHARS.1: /(?:(?!\$\$\{)(?!\$\{)(?!%%\{)(?!%\{)[^"\\]|\\.|(?:\$(?!\$?\{))|(?:%(?!%?\{)))++/',
}
_CONSTANT_MEMORY = {
    r"/\/\*(.|\n)*?(\*\/)/": r"/\/\*[\s\S]*?\*\//",
    r"\r?\n(?:(?:.|\n)*?\r?\n)??\s*(?P=heredoc)\r?\n/": r"\r?\n(?:[\s\S]*?\r?\n)??\s*(?P=heredoc)\r?\n/",
    r"\r?\n(?:(?:.|\n)*?\r?\n)??\s*(?P=heredoc_trim)\r?\n/":
        r"\r?\n(?:[\s\S]*?\r?\n)??\s*(?P=heredoc_trim)\r?\n/",
}

_directory: Optional[str] = None
_parse = None
_in_memory = None  # the parser built without a directory: once per process
_announce: Optional[Callable[[str], None]] = None


def use_cache_directory(directory: Optional[str], announce: Optional[Callable[[str], None]] = None) -> None:
    """Where the compiled grammar is kept (an ``analyzer.cache`` directory
    already checked), or None: build it in memory.
    ``announce(message)`` hears that the grammar is being built, which
    takes a few seconds the first time."""
    global _directory, _parse, _announce
    _announce = announce
    if directory != _directory:
        _directory, _parse = directory, None


def prepare() -> None:
    """Load (or build) the parser now, if it is not ready."""
    global _parse
    if _parse is None:
        _parse = _build(_directory)


def parse(text: str):
    """The Lark tree of HCL text; raises Lark's errors."""
    prepare()
    return _parse(text)


def _build(directory: Optional[str]):
    global _in_memory
    import hcl2
    import lark
    from hcl2.postlexer import PostLexer
    from lark import Lark

    with open(os.path.join(os.path.dirname(hcl2.__file__), "hcl2.lark"), encoding="utf-8") as f:
        text = constant_memory(f.read())
    if directory is None:
        if _in_memory is None:
            _in_memory = Lark(text, postlex=PostLexer(), **_OPTIONS)
        parser = _in_memory
    else:
        key = (text, lark.__version__, getattr(hcl2, "__version__", ""), sys.version,
               repr(sorted(_OPTIONS.items())), _PICKLE_FORMAT)
        digest = hashlib.sha256("\0".join(key).encode("utf-8")).hexdigest()
        pickled, saved = (os.path.join(directory, f"hcl2-{digest}.{kind}") for kind in ("pickle", "lark"))
        parser = _unpickle(pickled) or _load(saved)
        if parser is None:
            if _announce is not None:
                _announce("building the HCL parser, once for this version of sesguard (a few seconds)")
            parser = Lark(text, postlex=PostLexer(), **_OPTIONS)
            data = _pickled(parser)
            if data is not None:
                _keep(lambda f: f.write(data), directory, pickled)
            else:
                _keep(parser.save, directory, saved)

    def parse_text(text: str):
        # as python-hcl2's own entry does: its grammar needs a newline at the end
        return parser.parse(text + "\n")
    return parse_text


def constant_memory(text: str) -> str:
    """python-hcl2's grammar with the terminals of ``_CONSTANT_MEMORY`` rewritten, and those of
    ``_POSSESSIVE`` where Python's possessive repetition is right: it came with 3.11, and until
    3.11.5 a possessive group holding a negative lookahead kept characters of a failed attempt
    (CPython gh-100061), which would let a string swallow the ``$`` of ``${``."""
    rewrites = dict(_CONSTANT_MEMORY)
    if sys.version_info >= (3, 11, 5):
        rewrites.update(_POSSESSIVE)
    for theirs, ours in rewrites.items():
        text = text.replace(theirs, ours)
    return text


def _load(path: str):
    """The compiled grammar kept at ``path``, or None: missing, or damaged
    in any way (whatever loading raises, the grammar is built again)."""
    from lark import Lark

    try:
        with open(path, "rb") as f:
            return Lark.load(f)
    except Exception:  # a damaged or foreign file is a miss, as in the parse cache
        return None


def _unpickle(path: str):
    """The parser pickled at ``path``, or None: missing, or damaged in any
    way (then deleted, so the next run writes it again)."""
    import pickle

    from lark import Lark

    try:
        with open(path, "rb") as f:
            parser = pickle.load(f)
    except FileNotFoundError:
        return None
    except Exception:  # a damaged or foreign file is a miss, as in the parse cache
        parser = None
    if isinstance(parser, Lark):
        return parser
    try:
        os.remove(path)
    except OSError:
        pass
    return None


def _pickled(parser) -> Optional[bytes]:
    """``parser`` as a pickle that restores to a parser giving the same
    trees and errors on ``_SAMPLES``; None when it does not (see above)."""
    import io
    import pickle
    import types

    from lark.parsers import lalr_analysis

    singletons = {id(lalr_analysis.Shift): "Shift", id(lalr_analysis.Reduce): "Reduce"}

    class _Pickler(pickle.Pickler):
        def reducer_override(self, obj):
            if isinstance(obj, types.ModuleType):
                return importlib.import_module, (obj.__name__,)
            name = singletons.get(id(obj))
            if name is not None:
                return getattr, (lalr_analysis, name)
            return NotImplemented

    buffer = io.BytesIO()
    try:
        _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(parser)
        data = buffer.getvalue()
        restored = pickle.loads(data)
        same = all(_outcome(restored, sample) == _outcome(parser, sample) for sample in _SAMPLES)
    except Exception:  # a Lark whose objects do not pickle, or restore broken: its own saved form is kept
        return None
    return data if same else None


def _outcome(parser, text: str):
    """What parsing ``text`` gives, comparable between two parsers: the tree,
    or the error's kind, position and what was expected."""
    from lark import Token
    from lark.exceptions import UnexpectedInput

    def shape(node):
        if isinstance(node, Token):
            return (node.type, str(node), node.line, node.column, node.end_line, node.end_column)
        return (str(node.data), tuple(shape(c) for c in node.children))

    try:
        return shape(parser.parse(text))
    except UnexpectedInput as error:
        return (type(error).__name__, error.line, error.column,
                sorted(map(str, getattr(error, "expected", None) or getattr(error, "allowed", None) or ())))


# a text that reaches most of the grammar, and texts it must reject (a bad token, an unterminated string)
_SAMPLES = (
    """# comment
// another
/* block */
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.0" }
  }
}
locals {
  a = [1, 2.5, -3, true, false, null, "s${var.x}%{ if var.y }t%{ else }u%{ endif }$${z}"]
  b = { k = "v", (var.k) = 1, "q" : 2 }
  c = var.m != null && !var.f || var.n >= 2 ? a.b[0].c[*].d : a.*.e
  d = [for i, v in var.l : upper(v) if i % 2 == 0]
  e = { for k, v in var.m : k => v... }
  f = <<-EOT
    heredoc ${var.x}
  EOT
  g = <<EOT
plain
EOT
  h = provider::aws::arn_parse(var.arn)
  i = fn(var.list...)
  j = (1 + 2) * 3 / 4 - 5
  k = "a" == "b" ? 1 : (var.o < 0 || var.o <= 1 || var.o > 2)
}
resource "aws_ses_domain_identity" "d" {
  count  = 1
  domain = var.domain
  dynamic "x" {
    for_each = var.xs
    content {
      y = x.value
    }
  }
}
module "m" {
  source = "./m"
}
""",
    'resource "a" "b" {\n  c = = 1\n}\n',
    'a = "x\n',
)


def _keep(write: Callable, directory: str, path: str) -> None:
    """``write(file)`` into a temporary file, renamed to ``path`` when whole."""
    import tempfile

    try:
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=".tmp-")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(temporary, path)
    except OSError:
        try:
            os.remove(temporary)
        except OSError:
            pass
