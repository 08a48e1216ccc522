"""The taxonomy as data: categories and action types with cues, topic words, patterns and exclusions.

The package ships ``data/taxonomy.yaml`` (ids of the shared contract). Users extend or override it with
their own YAML or TOML file; invalid files (syntax, unknown keys, duplicate ids, bad or catastrophic
regexes) raise :class:`TaxonomyError` naming the file and line.
"""
from __future__ import annotations

import functools
import hashlib
import json
import re
import tomllib
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import regex
import yaml

from ._data import data_text
from .errors import TaxonomyError

__all__ = ["Entry", "Taxonomy", "load_taxonomy", "default_taxonomy", "required_literals", "POLARITIES", "DOC_TYPES", "PATTERN_TIMEOUT"]

POLARITIES = ("found", "not_found", "requirement")
DOC_TYPES = ("inspection_summary", "regulation", "essay", "other")
PATTERN_TIMEOUT = 0.5  # seconds one pattern may spend on one report before it is abandoned
_ENTRY_KEYS = {"label", "cues", "topics", "patterns", "exclude", "replace"}
_TOP_KEYS = {"version", "macros", "categories", "actions"}
_MACRO_NAME = re.compile(r"[a-z][a-z0-9_]*")
# {gap} in a pattern (not \p{...}): a named piece of regex from ``macros``
_MACRO_RE = re.compile(rf"(?<!\\[pPN])\{{({_MACRO_NAME.pattern})\}}")
_ID_RE = re.compile(r"^[a-z][a-z0-9_]{1,40}$")
# a group that contains a quantifier and is itself quantified: (a+)+, (a|aa)*, (.*){2,}
_NESTED_QUANT = re.compile(r"\((?:[^()\\]|\\.)*(?:[+*]|\{\d+,\d*\})\)(?:[+*]|\{\d+,\d*\})")


@dataclass(frozen=True)
class Entry:
    """One category or action type."""

    id: str
    label: str
    cues: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class Taxonomy:
    """Categories and actions, plus where they came from (for error messages and cache keys)."""

    categories: dict[str, Entry]
    actions: dict[str, Entry]
    sources: tuple[str, ...] = ()
    fingerprint: str = ""
    _compiled: dict = field(default_factory=dict, repr=False, compare=False, hash=False)

    def label(self, cid: str) -> str:
        """Chinese label of a category or action id (the id itself when unknown)."""
        entry = self.categories.get(cid) or self.actions.get(cid)
        return entry.label if entry else cid

    def compiled_patterns(self, kind: str) -> list[tuple[str, Any]]:
        """(id, compiled regex) pairs for categories or actions, compiled once."""
        if kind not in self._compiled:
            entries = self.categories if kind == "categories" else self.actions
            self._compiled[kind] = [(e.id, regex.compile(p)) for e in entries.values() for p in e.patterns]
        return self._compiled[kind]

    def prefiltered_patterns(self, kind: str) -> list[tuple[str, Any, tuple[tuple[str, ...], ...]]]:
        """(id, compiled regex, required literals) for categories or actions: see :func:`required_literals`."""
        key = kind + ":prefilter"
        if key not in self._compiled:
            entries = self.categories if kind == "categories" else self.actions
            patterns = [p for e in entries.values() for p in e.patterns]
            self._compiled[key] = [(cid, pat, required_literals(p))
                                   for (cid, pat), p in zip(self.compiled_patterns(kind), patterns)]
        return self._compiled[key]


def required_literals(pattern: str, *, flavour: str = "regex") -> tuple[tuple[str, ...], ...]:
    """Groups of literal strings such that every match of ``pattern`` contains at least one string of
    each group: a necessary condition, checked with ``in`` before a pattern is run over a report.

    ``(未|没有)(?:加盖|盖)[^，]{0,6}(?:日戳|邮戳)`` gives ``(("未", "没有"), ("加盖", "盖"), ("日戳", "邮戳"))``.
    Only what is certain counts (optional parts, classes with categories or negation, look-arounds are
    left out). A pattern the standard parser might read differently from ``regex`` (its own syntax such
    as ``{e<=1}`` or ``[[:alpha:]]``, which ``re`` takes as literal ASCII punctuation; case folding)
    gives ``()``: no condition, the pattern always runs. ``flavour="re"``: a pattern of the standard
    ``re`` module, read exactly by its own parser (its case-insensitive parts give no condition)."""
    parsed = _parsed(pattern, flavour)
    return tuple(_seq_literals(*parsed)) if parsed else ()


def _parsed(pattern: str, flavour: str) -> tuple[list, Any] | None:
    """(items, constants) of a pattern parsed by the standard parser, or None (see :func:`required_literals`)."""
    parser, constants = _re_parser()
    try:
        with warnings.catch_warnings():  # "possible nested set" and the like: such a pattern is not plain
            warnings.simplefilter("ignore")
            parsed = parser.parse(pattern)
    except Exception:
        return None
    if parsed.state.flags & re.IGNORECASE or flavour != "re" and not _plain(list(parsed), constants):
        return None
    return list(parsed), constants


def _re_parser():
    """The standard ``re`` module's parser and its constants (renamed in Python 3.11)."""
    try:
        from re import _constants, _parser
    except ImportError:  # Python 3.10
        import sre_constants as _constants
        import sre_parse as _parser
    return _parser, _constants


def _repeats(C) -> tuple:
    return tuple(getattr(C, n) for n in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") if hasattr(C, n))


def _plain(items: list, C) -> bool:
    """No ASCII punctuation as a literal and no case folding anywhere in the parsed pattern."""
    for op, av in items:
        if op in (C.LITERAL, C.NOT_LITERAL):
            if _ascii_punct(av):
                return False
        elif op is C.IN:
            for iop, iav in av:
                if iop is C.LITERAL and _ascii_punct(iav) or iop is C.RANGE and any(map(_ascii_punct, iav)):
                    return False
        elif op is C.SUBPATTERN:
            if av[1] & re.IGNORECASE or not _plain(list(av[3]), C):
                return False
        elif op in _repeats(C):
            if not _plain(list(av[2]), C):
                return False
        elif op is C.BRANCH:
            if not all(_plain(list(alt), C) for alt in av[1]):
                return False
        elif op in (C.ASSERT, C.ASSERT_NOT):
            if not _plain(list(av[1]), C):
                return False
        elif op is getattr(C, "ATOMIC_GROUP", None):
            if not _plain(list(av), C):
                return False
        elif op is C.GROUPREF_EXISTS:
            if not all(_plain(list(sub), C) for sub in av[1:] if sub is not None):
                return False
    return True


def _ascii_punct(code: int) -> bool:
    return code < 128 and not chr(code).isalnum()


def _seq_literals(items: list, C) -> list[tuple[str, ...]]:
    """Required literal groups of a parsed sequence (see :func:`required_literals`)."""
    groups: list[tuple[str, ...]] = []
    run: list[str] = []  # consecutive literal characters: one required string
    for op, av in items:
        if op is C.LITERAL:
            run.append(chr(av))
            continue
        if run:
            groups.append(("".join(run),))
            run = []
        if op is C.SUBPATTERN:
            if not av[1] & re.IGNORECASE:  # (?i:…): no certain literal
                groups.extend(_seq_literals(list(av[3]), C))
        elif op is getattr(C, "ATOMIC_GROUP", None):
            groups.extend(_seq_literals(list(av), C))
        elif op in _repeats(C) and av[0] >= 1:
            groups.extend(_seq_literals(list(av[2]), C))
        elif op is C.BRANCH:
            alternatives = [_seq_literals(list(alt), C) for alt in av[1]]
            if all(alternatives):  # a match holds one alternative's match: union of their first groups
                groups.append(tuple(dict.fromkeys(s for alt in alternatives for s in alt[0])))
        elif op is C.IN:
            chars = _class_chars(av, C)
            if chars:
                groups.append(chars)
        # anything else (ANY, NOT_LITERAL, AT, look-arounds, back references): no certain literal
    if run:
        groups.append(("".join(run),))
    return groups


def _class_chars(items: list, C, limit: int = 64) -> tuple[str, ...]:
    """The characters of a class made of literals and small ranges; ``()`` otherwise (negation, categories)."""
    chars: list[str] = []
    for op, av in items:
        if op is C.LITERAL:
            chars.append(chr(av))
        elif op is C.RANGE and av[1] - av[0] < limit:
            chars.extend(chr(c) for c in range(av[0], av[1] + 1))
        else:
            return ()
    return tuple(dict.fromkeys(chars)) if len(chars) <= limit else ()


# --------------------------------------------------------------------------- YAML with line numbers


class _Loader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys and remembers the line of every mapping key."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict:
    out: dict = {}
    lines: dict = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in out:
            raise TaxonomyError(
                loader.name, f"duplicate key {key!r}", line=key_node.start_mark.line + 1
            )
        out[key] = loader.construct_object(value_node, deep=deep)
        lines[key] = key_node.start_mark.line + 1
    out["__lines__"] = lines
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _parse(text: str, name: str) -> dict:
    if name.endswith(".toml"):
        try:
            data = tomllib.loads(text)  # TOML itself rejects duplicate keys
        except tomllib.TOMLDecodeError as exc:
            m = re.search(r"line (\d+)", str(exc))
            raise TaxonomyError(name, f"invalid TOML: {exc}", line=int(m.group(1)) if m else None) from None
        return data
    try:
        loader = _Loader(text)
        loader.name = name
        try:
            data = loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise TaxonomyError(name, f"invalid YAML: {exc.problem or exc.context}", line=mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise TaxonomyError(name, f"invalid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise TaxonomyError(name, "a taxonomy file must be a mapping with 'categories' and/or 'actions'")
    return data


def _line(d: dict, key: str) -> int | None:
    return d.get("__lines__", {}).get(key) if isinstance(d, dict) else None


def _check_pattern(pat: str, name: str, line: int | None, where: str) -> None:
    try:
        compiled = regex.compile(pat)
    except regex.error as exc:
        raise TaxonomyError(name, f"{where}: bad regex {pat!r}: {exc}", line=line) from None
    if _NESTED_QUANT.search(pat):
        raise TaxonomyError(name, f"{where}: catastrophic regex {pat!r} (nested quantifiers)", line=line)
    # empirical probe: the pattern must answer quickly on adversarial repetitions of its own characters
    chars = "".join(dict.fromkeys(c for c in pat if c.isalnum() or "\u4e00" <= c <= "\u9fff")) or "a"
    for probe in (chars[0] * 3000 + "!", chars * 300 + "!", "，" * 2000):
        try:
            compiled.search(probe, timeout=0.25)
        except TimeoutError:
            raise TaxonomyError(name, f"{where}: catastrophic regex {pat!r} (too slow on repeated input)", line=line) from None
    if compiled.search(""):
        raise TaxonomyError(name, f"{where}: regex {pat!r} matches the empty string", line=line)


def _macros(section, name: str, base: dict[str, str]) -> dict[str, str]:
    """Named pieces of regex (``macros: {gap: '(?:(?![无没未])[^，。；])'}``) that patterns use as ``{gap}``."""
    if not isinstance(section, dict):
        raise TaxonomyError(name, "'macros' must be a mapping of name -> regex", line=None)
    out = dict(base)
    for key, val in section.items():
        if key == "__lines__":
            continue
        line = _line(section, key)
        if not isinstance(key, str) or not _MACRO_NAME.fullmatch(key) or not isinstance(val, str) or not val:
            raise TaxonomyError(name, f"macros.{key}: a macro is a lower_snake_case name and a non-empty regex", line=line)
        try:
            regex.compile(val)
        except regex.error as exc:
            raise TaxonomyError(name, f"macros.{key}: bad regex {val!r}: {exc}", line=line) from None
        out[key] = val
    return out


def _expand(pat: str, macros: dict[str, str], name: str, line: int | None, where: str) -> str:
    """``pat`` with each ``{macro}`` replaced by its regex; an unknown name is an error (a typo)."""
    def one(m: re.Match) -> str:
        if m.group(1) not in macros:
            raise TaxonomyError(name, f"{where}: unknown macro {m.group(0)!r} in {pat!r} (known: {sorted(macros)})", line=line)
        return macros[m.group(1)]

    return _MACRO_RE.sub(one, pat)


def _entries(section: dict, name: str, kind: str, base: dict[str, Entry], macros: dict[str, str]) -> dict[str, Entry]:
    out = dict(base)
    one = {"categories": "category", "actions": "action"}[kind]
    if not isinstance(section, dict):
        raise TaxonomyError(name, f"'{kind}' must be a mapping of id -> entry", line=None)
    for cid, spec in section.items():
        if cid == "__lines__":
            continue
        line = _line(section, cid)
        if not isinstance(cid, str) or not _ID_RE.match(cid):
            raise TaxonomyError(name, f"bad {one} id {cid!r} (use lower_snake_case)", line=line)
        if not isinstance(spec, dict):
            raise TaxonomyError(name, f"{kind}.{cid} must be a mapping", line=line)
        unknown = set(spec) - _ENTRY_KEYS - {"__lines__"}
        if unknown:
            key = sorted(unknown)[0]
            raise TaxonomyError(name, f"{kind}.{cid}: unknown key {key!r} (allowed: {sorted(_ENTRY_KEYS)})", line=_line(spec, key) or line)
        if cid not in out and not spec.get("label"):
            raise TaxonomyError(name, f"unknown {one} id {cid!r}: a new entry needs a 'label'", line=line)
        lists = {}
        for key in ("cues", "topics", "patterns", "exclude"):
            val = spec.get(key, [])
            if not isinstance(val, list) or not all(isinstance(v, str) and v.strip() for v in val):
                raise TaxonomyError(name, f"{kind}.{cid}.{key} must be a list of non-empty strings", line=_line(spec, key) or line)
            lists[key] = tuple(v.strip() for v in val)
        pline = _line(spec, "patterns") or line
        lists["patterns"] = tuple(_expand(p, macros, name, pline, f"{kind}.{cid}") for p in lists["patterns"])
        for pat in lists["patterns"]:
            _check_pattern(pat, name, pline, f"{kind}.{cid}")
        prev = out.get(cid)
        if prev is None or spec.get("replace"):
            out[cid] = Entry(cid, spec.get("label") or (prev.label if prev else cid), lists["cues"], lists["topics"], lists["patterns"], lists["exclude"])
        else:
            out[cid] = Entry(
                cid,
                spec.get("label") or prev.label,
                prev.cues + tuple(c for c in lists["cues"] if c not in prev.cues),
                prev.topics + tuple(c for c in lists["topics"] if c not in prev.topics),
                prev.patterns + tuple(c for c in lists["patterns"] if c not in prev.patterns),
                prev.exclude + tuple(c for c in lists["exclude"] if c not in prev.exclude),
            )
    return out


def _build(texts: list[tuple[str, str]]) -> Taxonomy:
    cats: dict[str, Entry] = {}
    acts: dict[str, Entry] = {}
    macros: dict[str, str] = {}
    for name, text in texts:
        data = _parse(text, name)
        unknown = set(data) - _TOP_KEYS - {"__lines__"}
        if unknown:
            key = sorted(unknown)[0]
            raise TaxonomyError(name, f"unknown top-level key {key!r} (allowed: {sorted(_TOP_KEYS)})", line=_line(data, key))
        if "macros" in data:
            macros = _macros(data["macros"], name, macros)
        if "categories" in data:
            cats = _entries(data["categories"], name, "categories", cats, macros)
        if "actions" in data:
            acts = _entries(data["actions"], name, "actions", acts, macros)
        overlap = set(cats) & set(acts)
        if overlap:
            raise TaxonomyError(name, f"id used both as category and action: {sorted(overlap)[0]!r}")
    fp = hashlib.sha1(json.dumps([t for _, t in texts], ensure_ascii=False).encode()).hexdigest()[:12]
    return Taxonomy(cats, acts, tuple(n for n, _ in texts), fp)


@functools.lru_cache(maxsize=1)
def default_taxonomy() -> Taxonomy:
    """The shipped taxonomy, loaded once."""
    return _build([("reportmine/data/taxonomy.yaml", data_text("taxonomy.yaml"))])


@functools.lru_cache(maxsize=16)
def _load_cached(paths: tuple[str, ...]) -> Taxonomy:
    texts = [("reportmine/data/taxonomy.yaml", data_text("taxonomy.yaml"))]
    for p in paths:
        try:
            texts.append((p, Path(p).read_text(encoding="utf-8")))
        except OSError as exc:
            raise TaxonomyError(p, f"cannot read taxonomy file: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise TaxonomyError(p, "taxonomy file is not UTF-8 text") from None
    return _build(texts)


def load_taxonomy(*paths: str | Path) -> Taxonomy:
    """The shipped taxonomy extended/overridden by user files (YAML or TOML), validated."""
    if not paths:
        return default_taxonomy()
    return _load_cached(tuple(str(p) for p in paths))
