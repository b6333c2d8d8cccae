"""sesguard's HCL parser (analyzer.terraform.grammar): the same trees as
python-hcl2's, positions computed from tokens equal to the positions Lark
propagates, and the compiled grammar kept safely in the cache directory."""

import os
import pathlib
import sys

import pytest
from hcl2.api import parses_to_tree
from lark import Token, Tree

from analyzer.cache import open_cache
from analyzer.terraform import grammar
from analyzer.terraform.parse import location

FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture
def own_grammar(tmp_path):
    cache, problem = open_cache(str(tmp_path / "cache"))
    assert not problem
    grammar.use_cache_directory(cache.grammar)
    yield cache.grammar
    grammar.use_cache_directory(None)


def _shape(node):
    if isinstance(node, Token):
        return (node.type, str(node), node.line, node.column, node.end_line, node.end_column)
    return (str(node.data), tuple(_shape(c) for c in node.children))


def test_the_trees_and_positions_are_python_hcl2s(own_grammar, corpus):
    compared = trees = 0
    for path in sorted(FIXTURES.rglob("*.tf")) + sorted((corpus / "ses-public").rglob("*.tf")):
        text = path.read_text(encoding="utf-8")
        try:
            theirs = parses_to_tree(text)
        except Exception:  # a fixture python-hcl2 rejects must be rejected by ours too
            with pytest.raises(Exception):
                grammar.parse(text)
            continue
        ours = grammar.parse(text)
        assert _shape(ours) == _shape(theirs), path
        for mine, reference in zip(ours.iter_subtrees(), theirs.iter_subtrees()):
            trees += 1
            meta = reference.meta
            expected = (0, 0, 0, 0) if getattr(meta, "empty", True) else (
                meta.line, meta.column, meta.end_line, meta.end_column)
            where = location(str(path), mine)
            assert (where.line, where.column, where.end_line, where.end_column) == expected, (path, mine.data)
        compared += 1
    assert compared > 250 and trees > 50_000


def test_the_compiled_grammar_is_kept_and_reused(own_grammar):
    assert isinstance(grammar.parse('a = "x"\n'), Tree)
    kept = os.listdir(own_grammar)
    assert len(kept) == 1 and kept[0].startswith("hcl2-") and kept[0].endswith(".pickle")
    stamp = os.stat(os.path.join(own_grammar, kept[0])).st_mtime_ns
    grammar.use_cache_directory(None)
    grammar.use_cache_directory(own_grammar)
    assert isinstance(grammar.parse("b = 1\n"), Tree)
    assert os.listdir(own_grammar) == kept
    assert os.stat(os.path.join(own_grammar, kept[0])).st_mtime_ns == stamp


def test_a_parser_that_does_not_restore_alike_is_kept_in_larks_own_form(own_grammar, monkeypatch):
    real = grammar._outcome
    monkeypatch.setattr(grammar, "_outcome", lambda parser, text: (id(parser), real(parser, text)))
    heard = []
    grammar.use_cache_directory(None)
    grammar.use_cache_directory(own_grammar, heard.append)
    grammar.parse("a = 1\n")
    [kept] = os.listdir(own_grammar)
    assert kept.endswith(".lark")
    grammar.use_cache_directory(None)
    grammar.use_cache_directory(own_grammar, heard.append)
    assert _shape(grammar.parse(grammar._SAMPLES[0])) == _shape(parses_to_tree(grammar._SAMPLES[0]))
    assert len(heard) == 1 and os.listdir(own_grammar) == [kept]  # read back, not built again


def test_the_check_catches_larks_actions_restored_as_copies():
    """Pickled without its Shift/Reduce handled, Lark's parser restores
    broken: the samples are what tells, so such a pickle is never kept."""
    import io
    import pickle

    grammar.use_cache_directory(None)
    grammar.prepare()
    parser = grammar._in_memory
    buffer = io.BytesIO()

    class ModulesOnly(pickle.Pickler):
        def reducer_override(self, obj):
            return (__import__, (obj.__name__,)) if type(obj) is type(os) else NotImplemented

    ModulesOnly(buffer).dump(parser)
    restored = pickle.loads(buffer.getvalue())
    with pytest.raises(AttributeError):
        grammar._outcome(restored, grammar._SAMPLES[0])
    assert grammar._pickled(parser) is not None
    assert pickle.loads(grammar._pickled(parser)).parse(grammar._SAMPLES[0]) == parser.parse(grammar._SAMPLES[0])


def test_a_damaged_compiled_grammar_is_built_again(own_grammar):
    grammar.parse("a = 1\n")
    [name] = os.listdir(own_grammar)
    with open(os.path.join(own_grammar, name), "r+b") as f:
        f.truncate(1000)
    grammar.use_cache_directory(None)
    grammar.use_cache_directory(own_grammar)
    tree = grammar.parse('resource "a" "b" {\n  c = 1\n}\n')
    assert location("f", tree).line == 1 and location("f", tree).end_line >= 3


def test_building_the_grammar_is_announced_and_loading_it_is_not(own_grammar):
    heard = []
    grammar.use_cache_directory(None)
    grammar.use_cache_directory(own_grammar, heard.append)
    grammar.parse("a = 1\n")
    assert heard == ["building the HCL parser, once for this version of sesguard (a few seconds)"]
    grammar.use_cache_directory(None)
    grammar.use_cache_directory(own_grammar, heard.append)
    grammar.parse("b = 1\n")
    assert len(heard) == 1


TRICKY = [
    'a = "$ $$ $${x} % %% %%{y} \\" \\\\ ${var.z} %{ if true }t%{ endif } $"\n',
    'a = "x$"\nb = "%"\nc = "$$"\nd = ""\n',
    "/* one */\n/* two\n lines ** / * */\n/**/\n/* /* */\na = 1 /* after */\n",
    "a = <<EOT\nline\n  EOT inside\nEOT\nb = <<-EOT\n    trimmed ${x}\n    EOT\nc = <<EOT\nEOT\n",
    "a = <<EOT\r\nwindows\r\nEOT\r\n",
]


@pytest.mark.parametrize("text", TRICKY)
def test_the_rewritten_terminals_read_what_python_hcl2s_read(own_grammar, text):
    assert _shape(grammar.parse(text)) == _shape(parses_to_tree(text))


def test_every_rewritten_terminal_is_found_in_python_hcl2s_grammar():
    import hcl2

    with open(os.path.join(os.path.dirname(hcl2.__file__), "hcl2.lark"), encoding="utf-8") as f:
        text = f.read()
    assert all(theirs in text for theirs in {**grammar._CONSTANT_MEMORY, **grammar._POSSESSIVE})


LONG = 2 * 1024 * 1024


POSSESSIVE = pytest.mark.skipif(sys.version_info < (3, 11, 5), reason="a quoted string's terminal is possessive "
                                "only where Python's possessive repetition is right (3.11.5)")


@pytest.mark.parametrize("text", [
    pytest.param('x = "' + "a" * LONG + '"\n', marks=POSSESSIVE, id="string"),
    pytest.param('x = "' + "$a%b" * (LONG // 4) + '"\n', marks=POSSESSIVE, id="string-with-dollars"),
    pytest.param("/*" + "a" * LONG + "*/\nx = 1\n", id="comment"),
    pytest.param("x = <<EOT\n" + ("a" * 1000 + "\n") * (LONG // 1000) + "EOT\n", id="heredoc"),
])
def test_a_long_token_takes_memory_in_proportion_to_its_length(own_grammar, text):
    # Python's regular expressions kept about 140 bytes per character of such a token: 2 GB for a 10 MB
    # quoted string, within the file size limit
    import tracemalloc

    grammar.prepare()
    tracemalloc.start()
    try:
        grammar.parse(text)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * LONG


def test_a_kept_parser_that_is_no_parser_is_deleted_and_built_again(own_grammar):
    import pickle

    grammar.parse("a = 1\n")
    [name] = os.listdir(own_grammar)
    with open(os.path.join(own_grammar, name), "wb") as f:
        pickle.dump({"not": "a parser"}, f)
    grammar.use_cache_directory(None)
    grammar.use_cache_directory(own_grammar)
    assert isinstance(grammar.parse("b = 1\n"), Tree)
    with open(os.path.join(own_grammar, name), "rb") as f:
        assert type(pickle.load(f)).__name__ == "Lark"  # written again
