"""A cache of parse results, keyed by file content, so a re-scan parses only
what changed.

Parsing HCL with python-hcl2 is most of a scan's time (about 3 ms a file,
and about 0.01 s to load its pickled grammar); loading a parse tree from the
cache takes about 0.4 ms, and a scan whose files all hit the cache never
loads the grammar. Writing the entries makes a first scan of parse-heavy
code 10-25% slower (SES-dense corpus). YAML and JSON are not cached: measured on
corpus/perf-cfn, unpickling a template costs nearly as much as parsing it.

**Where.** ``--cache-dir``, else ``$SESGUARD_CACHE_DIR``, else
``$XDG_CACHE_HOME/sesguard``, else ``~/.cache/sesguard``; entries live in its
``parse/`` directory, one file per entry. The directory can be deleted at
any time.

**Key.** The SHA-256 of: the entry format, sesguard's version and the source
of the modules that make and define what is stored (so an edited checkout
never reads entries of the old code), python-hcl2's grammar and parser
files, lark's and Python's versions, the limits the parse depends on
(``max_depth``), the path as displayed (locations in the tree carry it) and
the file's text. A parse that fails is never stored.

**Concurrent runs.** An entry is written to a temporary file in the same
directory and renamed over its name (``os.replace``): a reader sees a whole
entry or none. Two runs writing the same entry write the same bytes.

**Corrupt entries.** Each entry holds a digest of its payload. Anything
wrong when reading one (truncated, altered, unpicklable, of an unexpected
type; the caller also checks that the tree is of the path and text asked
for) is a miss: the entry is deleted and the file parsed again, never an
error and never a wrong result.

**Bounded.** An entry is per file version, so an unchanged file adds
nothing; an edited file adds one entry per version scanned. Entries unused
for ``MAX_AGE`` (an entry's modification time is refreshed, at most daily,
when it is read) are deleted by the first run that writes an entry each
day, together with temporary files left by a run that was killed.

**Trust.** Unpickling runs code chosen by whoever wrote the entry, so only
the user may write entries: the directory is created ``0o700``, and a cache
directory owned by another user, or writable by its group or by others, is
not used (the scan runs without a cache and says so in one line on standard
error). The directory is chosen by the command line or the environment,
never by the scanned repository's ``.sesguard.yml``: a repository could
otherwise point sesguard at entries it ships. On systems without user ids
(Windows) the check is skipped: the default location is in the user's
profile. A parent directory writable by others could still have the cache
directory swapped after the check; keep it under your home directory.
"""

from __future__ import annotations

import copyreg
import hashlib
import importlib.util
import io
import os
import pickle
import sys
import tempfile
import time
from typing import Optional

from analyzer import __version__

FORMAT = b"sesguard parse cache 2\n"
MAX_AGE = 30 * 24 * 3600  # entries unused this long are deleted
TOUCH_AFTER = 24 * 3600  # an entry read is marked as used at most this often
PRUNE_EVERY = 24 * 3600
TEMP_MAX_AGE = 3600  # a temporary file this old belongs to a run that died
_DIGEST_SIZE = 32
_PRUNE_STAMP = ".pruned"
_TEMP_PREFIX = ".tmp-"

# What a stored parse depends on besides the text: our modules that make and
# define it, and python-hcl2's parser.
_OWN_SOURCES = ("cache.py", os.path.join("model", "values.py"), os.path.join("terraform", "parse.py"),
                os.path.join("terraform", "grammar.py"))
_HCL2_SOURCES = ("hcl2.lark", "api.py", "parser.py", "postlexer.py", "version.py")
_LARK_SOURCES = ("__init__.py",)  # its version, read rather than imported: a scan from the cache never imports lark


def default_directory() -> str:
    """The cache directory when the command line names none."""
    configured = os.environ.get("SESGUARD_CACHE_DIR")
    if configured:
        return configured
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = xdg if os.path.isabs(xdg) else os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "sesguard")


def open_cache(directory: str) -> tuple:
    """``(ParseCache, "")``, or ``(None, why it is not used)``."""
    entries = os.path.join(directory, "parse")
    grammar = os.path.join(directory, "grammar")
    try:
        for path in (directory, entries, grammar):
            os.makedirs(path, mode=0o700, exist_ok=True)
    except OSError as exc:
        return None, f"not using the cache directory {directory}: cannot create it ({exc.strerror})"
    for path in (directory, entries, grammar):
        problem = _unsafe(path)
        if problem:
            return None, f"not using the cache directory {path}: {problem}"
    return ParseCache(entries, grammar), ""


def _unsafe(path: str) -> str:
    """Why entries under ``path`` could have been written by someone else, or ""."""
    if not hasattr(os, "getuid"):
        return ""
    try:
        status = os.stat(path)
    except OSError as exc:
        return f"cannot check who owns it ({exc.strerror})"
    if status.st_uid != os.getuid():
        return "it belongs to another user"
    if status.st_mode & 0o022:
        return "other users can write to it"
    return ""


class ParseCache:
    """Stored parse results in one directory (made safe by ``open_cache``)."""

    def __init__(self, entries: str, grammar: str = ""):
        self.entries = entries
        self.grammar = grammar  # where the compiled HCL grammar is kept (analyzer.terraform.grammar)
        self._environment: Optional[bytes] = None
        self._pruned = False

    def key(self, kind: str, max_depth: int, shown: str, text: str) -> str:
        digest = hashlib.sha256(self.environment())
        for part in (kind, str(max_depth), shown):
            digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
        digest.update(text.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def environment(self) -> bytes:
        """What every key depends on: versions, and the sources that parse."""
        if self._environment is None:
            digest = hashlib.sha256("\0".join((__version__, sys.version)).encode())
            for directory, names in ((os.path.dirname(os.path.abspath(__file__)), _OWN_SOURCES),
                                     (_package_directory("hcl2"), _HCL2_SOURCES),
                                     (_package_directory("lark"), _LARK_SOURCES)):
                for name in names:
                    digest.update(b"\0" + name.encode() + b"\0" + _read_or_empty(os.path.join(directory, name)))
            self._environment = digest.digest()
        return self._environment

    def get(self, key: str):
        """The value stored under ``key``, or None (a damaged entry is deleted)."""
        path = os.path.join(self.entries, key)
        try:
            with open(path, "rb") as f:
                data = f.read()
                used = os.fstat(f.fileno()).st_mtime
        except OSError:
            return None
        value = _decode(data)
        if value is None:
            _remove(path)
        elif time.time() - used > TOUCH_AFTER:
            _touch(path)
        return value

    def put(self, key: str, value) -> None:
        """Store ``value``; a value that cannot be stored (too deep to
        pickle) or a full disk just leaves the entry out."""
        try:
            data = _encode(value)
        except Exception:  # pickling can fail in many ways; the cache is only ever an optimisation
            return
        if not self._pruned:
            self._pruned = True
            self.prune()
        try:
            fd, temporary = tempfile.mkstemp(dir=self.entries, prefix=_TEMP_PREFIX)
        except OSError:
            return
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(temporary, os.path.join(self.entries, key))
        except OSError:
            _remove(temporary)

    def prune(self) -> None:
        """Delete entries unused for ``MAX_AGE`` and abandoned temporary
        files, unless that was done less than ``PRUNE_EVERY`` ago."""
        now = time.time()
        stamp = os.path.join(self.entries, _PRUNE_STAMP)
        try:
            if now - os.stat(stamp).st_mtime < PRUNE_EVERY:
                return
        except OSError:
            pass
        try:
            with open(stamp, "wb"):
                pass
            with os.scandir(self.entries) as listing:
                entries = [(e.path, e.name, e.stat().st_mtime) for e in listing if e.name != _PRUNE_STAMP]
        except OSError:
            return
        for path, name, modified in entries:
            if now - modified > (TEMP_MAX_AGE if name.startswith(_TEMP_PREFIX) else MAX_AGE):
                _remove(path)


_SOURCES_DIGESTS: dict = {}


def sources_digest(directory: str) -> str:
    """Every Python source under ``directory`` (a package of sesguard's), by
    name, size and modification time, and the Python version: what an entry
    computed by that code is only valid for. Read once per process."""
    if directory not in _SOURCES_DIGESTS:
        digest = hashlib.sha256(sys.version.encode())
        for parent, _, names in sorted(os.walk(directory)):
            for name in sorted(n for n in names if n.endswith(".py")):
                path = os.path.join(parent, name)
                try:
                    status = os.stat(path)
                except OSError:
                    continue
                digest.update(f"{os.path.relpath(path, directory)}\0{status.st_size}\0{status.st_mtime_ns}\0"
                              .encode("utf-8", "surrogateescape"))
        _SOURCES_DIGESTS[directory] = digest.hexdigest()
    return _SOURCES_DIGESTS[directory]


def _package_directory(name: str) -> str:
    """Where an installed package is, without importing it."""
    spec = importlib.util.find_spec(name)
    locations = spec.submodule_search_locations if spec else None
    return list(locations)[0] if locations else ""


def _read_or_empty(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


def _touch(path: str) -> None:
    try:
        os.utime(path)
    except OSError:
        pass


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


# Lark's own pickling of a Token keeps its start but drops where it ends,
# which locations need: store every slot.
_TOKEN_SLOTS = ("type", "value", "start_pos", "line", "column", "end_line", "end_column", "end_pos")


def _reduce_token(token):
    return str.__new__, (type(token), str(token)), (None, {name: getattr(token, name) for name in _TOKEN_SLOTS})


def _encode(value) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = copyreg.dispatch_table.copy()
    lark = sys.modules.get("lark")
    if lark is not None:  # a value holds Lark's tokens only when something was parsed: else Lark is not needed
        pickler.dispatch_table[lark.Token] = _reduce_token
    pickler.dump(value)
    payload = buffer.getvalue()
    return FORMAT + hashlib.sha256(payload).digest() + payload


def _decode(data: bytes):
    """The stored value, or None when ``data`` is not a whole, intact entry."""
    start = len(FORMAT) + _DIGEST_SIZE
    if not data.startswith(FORMAT) or hashlib.sha256(data[start:]).digest() != data[len(FORMAT):start]:
        return None
    try:
        return pickle.loads(data[start:])
    except Exception:  # an entry of another version of a class: whatever unpickling raises, it is a miss
        return None
