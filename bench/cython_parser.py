"""Can lark-cython parse HCL for sesguard, and how much faster? (#17)

    pip install lark-cython && python bench/cython_parser.py [--out FILE]

Builds sesguard's HCL parser (python-hcl2's grammar, as compiled by
``analyzer.terraform.grammar``, with python-hcl2's post-lexer) once with
Lark alone and once with lark-cython's plugins, then parses every ``.tf``
file of ``fixtures/`` and ``../shared/corpus`` that Lark parses: prints
whether lark-cython gives the same trees (token types, text and positions),
and both parse times (CPU, best of three). When lark-cython cannot run the
grammar, says why, and measures both without the post-lexer on the files
that parse the same without it (what adapting the post-lexer could gain).
Writes the figures as JSON to ``--out`` when given.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import sys
import time

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _shape(node):
    if hasattr(node, "data"):
        return (str(node.data), tuple(_shape(c) for c in node.children))
    return (node.type, str(node), node.line, node.column, node.end_line, node.end_column)


def _best(parser, texts) -> float:
    times = []
    for _ in range(3):
        started = time.process_time()
        for text in texts:
            parser.parse(text)
        times.append(time.process_time() - started)
    return round(min(times), 3)


def _without_post_lexer(grammar: str, texts: list) -> dict:
    """What lark-cython would gain, on the files that parse the same without python-hcl2's post-lexer
    (it only joins a line break to the operator after it): both parsers without it."""
    import lark_cython
    from lark import Lark

    from analyzer.terraform.grammar import _OPTIONS

    plain = Lark(grammar, **_OPTIONS)
    fast = Lark(grammar, _plugins=lark_cython.plugins, **_OPTIONS)
    usable = []
    for text in texts:
        try:
            if _shape(fast.parse(text)) == _shape(plain.parse(text)):
                usable.append(text)
        except Exception:  # a file that needs the post-lexer
            continue
    return {"files": len(usable), "lark_seconds": _best(plain, usable), "lark_cython_seconds": _best(fast, usable)}


def main() -> int:
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--out")
    options = cli.parse_args()

    import hcl2
    import lark
    from hcl2.postlexer import PostLexer
    from lark import Lark

    from analyzer.terraform.grammar import _OPTIONS, constant_memory

    with open(os.path.join(os.path.dirname(hcl2.__file__), "hcl2.lark"), encoding="utf-8") as f:
        grammar = constant_memory(f.read())
    plain = Lark(grammar, postlex=PostLexer(), **_OPTIONS)
    paths = sorted((REPO / "fixtures").rglob("*.tf")) + sorted((REPO.parent / "shared" / "corpus").rglob("*.tf"))
    texts = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8") + "\n"
            plain.parse(text)
        except Exception:  # a file Lark rejects is no comparison
            continue
        texts.append(text)
    result = {"date": time.strftime("%Y-%m-%d"), "machine": f"{platform.machine()}, Python {platform.python_version()}",
              "lark": lark.__version__, "files": len(texts), "lark_seconds": _best(plain, texts)}
    try:
        import lark_cython
        from importlib.metadata import version

        result["lark_cython"] = version("lark-cython")
        fast = Lark(grammar, postlex=PostLexer(), _plugins=lark_cython.plugins, **_OPTIONS)
        same = sum(_shape(fast.parse(t)) == _shape(plain.parse(t)) for t in texts)
        result.update(same_trees=same, lark_cython_seconds=_best(fast, texts))
    except Exception as exc:  # what stops lark-cython is the finding
        result["lark_cython_fails"] = f"{type(exc).__name__}: {exc}"
        result["without_post_lexer"] = _without_post_lexer(grammar, texts)
    print(json.dumps(result, indent=2))
    if options.out:
        with open(options.out, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=2)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
