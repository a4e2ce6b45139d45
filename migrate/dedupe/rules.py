"""Dedupe rules: the YAML schema, its frozen dataclasses, the shipped defaults.

The same structure is used per entity in ``migration.yaml`` (``dedupe: {contact: {...}}``) and in
a stand-alone ``RULES.yaml``::

    key: ID                        # stand-alone only; the CLI's --key wins
    comparisons:                   # what evidence to weigh, over any cleaned column
      - {name: phone, kind: phone, columns: [PHONE]}
      - {name: inn, kind: identifier, columns: [RQ_INN], validate: inn}   # validated → strong
      - name: fio
        kind: person_name
        columns: [LAST_NAME, NAME, SECOND_NAME]
        levels: [exact, translit, initials, {fuzzy: 0.9}, {fuzzy: 0.8}]
        required: true             # a pair whose names differ is never merged automatically
    blocking:                      # candidate pairs = union over these keys (default: every
                                   # comparison's own normalised value)
      - phone                      # a comparison's name: that comparison's own key
      - {columns: [LAST_NAME, NAME], transform: [translit, initial]}
    thresholds: {match: 0.95, review: 0.6}   # calibrated match probabilities
    model: {estimate: em, u_sample: 200000}  # em | fixed
    limits: {max_block: 1000, max_cluster: 20, key_pairs: 0}   # key_pairs: per record, 0 = any
    survivorship: {prefer: [completeness, recency], recency: [DATE_MODIFY], fill_empty: true}

A level is a name (``exact``) or a mapping (``{fuzzy: 0.9}``, ``{within: 30, m: 0.1}``); ``m``
and ``u`` set the level's probabilities among matches and non-matches (priors for ``em``,
the values themselves for ``fixed``). Every problem in a file is reported at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from mappings._yaml import safe_load_bounded
from migrate.errors import MappingError

__all__ = [
    "BlockingKey",
    "Comparison",
    "Level",
    "Rules",
    "Survivorship",
    "default_rules",
    "load_rules",
    "parse_rules",
    "preset_names",
]

KINDS: dict[str, tuple[frozenset[str], tuple[Any, ...]]] = {
    # kind: (allowed level names, default levels)
    "exact": (frozenset({"exact"}), ("exact",)),
    "phone": (frozenset({"exact", "suffix"}), ("exact",)),
    "email": (frozenset({"exact", "local", "fuzzy"}), ("exact", {"fuzzy": 0.92})),
    "identifier": (frozenset({"exact", "typo", "fuzzy"}), ("exact", {"fuzzy": 0.9})),
    "person_name": (
        frozenset({"exact", "translit", "initials", "subset", "fuzzy", "part"}),
        ("exact", "translit", "initials", {"fuzzy": 0.9}, "subset", {"fuzzy": 0.75}),
    ),
    "company_name": (
        frozenset({"exact", "translit", "subset", "fuzzy"}),
        ("exact", "translit", {"fuzzy": 0.9}, "subset", {"fuzzy": 0.75}),
    ),
    "text": (
        frozenset({"exact", "subset", "fuzzy", "parts"}),
        ("exact", {"fuzzy": 0.9}, {"fuzzy": 0.7}),
    ),
    "date": (frozenset({"exact", "typo", "within"}), ("exact", "typo", {"within": 366})),
    "number": (frozenset({"exact", "within"}), ("exact", {"within": 0.05})),
    # model numbers, SKUs in free text: ``LX-7964`` = ``lx7964``; another number differs
    "code": (frozenset({"exact", "subset", "fuzzy"}), ("exact", "subset")),
}
TRANSFORMS = frozenset(
    {"exact", "phone", "email", "identifier", "digits", "translit", "name_key", "company_key",
     "initial", "given_name", "phonetic", "year", "tokens", "codes", "prefix2", "prefix3",
     "prefix4", "prefix5"}
)  # fmt: skip
SCORERS = frozenset(
    {"ratio", "token_sort_ratio", "token_set_ratio", "partial_ratio", "WRatio", "jaro_winkler"}
)
_VALIDATORS = frozenset({"none", "inn"})
_PREFER = frozenset({"completeness", "recency", "first"})


@dataclass(frozen=True, slots=True)
class Level:
    """One agreement level: ``exact``, ``fuzzy`` (threshold 0–1), ``within`` (days or ratio)…"""

    name: str
    threshold: float | None = None
    m: float | None = None
    u: float | None = None


@dataclass(frozen=True, slots=True)
class Comparison:
    """One piece of evidence: a kind over one or more columns, with ordered levels."""

    name: str
    kind: str
    columns: tuple[str, ...]
    levels: tuple[Level, ...]
    scorer: str = "token_sort_ratio"
    strong: bool = False
    validate: str = "none"
    required: bool = False
    tf: bool = False  # term frequency: agreeing on a rare value weighs more than on a common one
    relatives: bool = False  # a birth date: differing, with names agreeing only in part
    # (subset, part, initials), the pair looks like two relatives and is never merged unasked


@dataclass(frozen=True, slots=True)
class BlockingKey:
    """Records sharing this key become candidate pairs.

    One transform for several columns: multi-valued transforms (phone, email, identifier, tokens)
    take every value of every column as a key; the others join the columns with a space first.
    One transform per column: the key is the tuple of the parts, and every part must be non-empty.
    """

    name: str
    columns: tuple[str, ...]
    transforms: tuple[str, ...]
    comparison: str | None = None  # a key named after a comparison reuses its features


@dataclass(frozen=True, slots=True)
class Survivorship:
    """How the master of a cluster is chosen and how the merged row is filled."""

    prefer: tuple[str, ...] = ("completeness", "recency")
    recency: tuple[str, ...] = ("DATE_MODIFY", "DATE_CREATE")
    fill_empty: bool = True


@dataclass(frozen=True, slots=True)
class Rules:
    """Everything dedupe needs to know about one entity (see the module docstring)."""

    entity: str
    comparisons: tuple[Comparison, ...]
    blocking: tuple[BlockingKey, ...]
    key: str | None = None
    match: float = 0.95
    review: float = 0.6
    estimate: str = "em"
    u_sample: int = 200_000
    em_iterations: int = 25
    max_block: int = 1000
    max_cluster: int = 20
    key_pairs: float = 0.0  # a blocking key finding more pairs per record than this loses its
    # largest blocks (reported); 0: no limit
    survivorship: Survivorship = field(default_factory=Survivorship)
    language: str = "ru"
    preset: bool = False  # shipped rules: evidence whose columns a file lacks is left out

    def comparison(self, name: str) -> Comparison:
        """The comparison called ``name``."""
        return next(c for c in self.comparisons if c.name == name)


def load_rules(path: Path, entity: str | None = None) -> Rules:
    """Read a stand-alone rules file (or a preset name: company, contact, lead, product, person)."""
    if not path.exists() and str(path) in _presets():
        return default_rules(str(path))
    try:
        data = safe_load_bounded(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise MappingError(
            f"rules file `{path}` cannot be read: {exc}",
            next_step="fix the YAML (see `b24migrate dedupe --help`) and run again",
        ) from exc
    return parse_rules(data, entity=entity or path.stem, where=str(path))


def default_rules(entity: str) -> Rules:
    """The shipped rules for ``entity`` (company, contact, lead, product, person)."""
    presets = _presets()
    if entity not in presets:
        raise MappingError(
            f"no shipped dedupe rules for entity `{entity}`",
            [f"known: {', '.join(sorted(presets))}"],
            next_step="write a `dedupe:` block for it in migration.yaml",
        )
    text = presets[entity].read_text(encoding="utf-8")
    rules = parse_rules(yaml.safe_load(text), entity=entity, where=f"defaults/{entity}.yaml")
    return replace(rules, preset=True)


def preset_names() -> list[str]:
    """Entities with shipped rules."""
    return sorted(_presets())


def _presets() -> dict[str, Any]:
    folder = resources.files("migrate.dedupe") / "defaults"
    return {p.name.removesuffix(".yaml"): p for p in folder.iterdir() if p.name.endswith(".yaml")}


def parse_rules(data: Any, *, entity: str, where: str = "rules") -> Rules:
    """Build :class:`Rules` from parsed YAML; raises :class:`MappingError` listing every problem.

    A mapping with ``base: contact`` starts from that preset and replaces the sections it names.
    """
    problems: list[str] = []
    if not isinstance(data, Mapping):
        raise MappingError(
            f"{where}: dedupe rules must be a mapping", [f"got {type(data).__name__}"]
        )
    base = data.get("base")
    if base is not None:
        data = {**_preset_data(str(base), where, problems), **{k: v for k, v in data.items()}}
    _check_keys(data, where, problems)
    comparisons = _parse_comparisons(data.get("comparisons"), where, problems)
    names = {c.name: c for c in comparisons}
    blocking = _parse_blocking(data.get("blocking", list(names)), names, where, problems)
    thresholds = _mapping(data.get("thresholds", {}), f"{where}: thresholds", problems)
    model = _mapping(data.get("model", {}), f"{where}: model", problems)
    limits = _mapping(data.get("limits", {}), f"{where}: limits", problems)
    surv = _parse_survivorship(data.get("survivorship", {}), where, problems)
    match = _number(thresholds.get("match", 0.95), f"{where}: thresholds.match", problems, 0, 1)
    review = _number(thresholds.get("review", 0.6), f"{where}: thresholds.review", problems, 0, 1)
    if review > match:
        problems.append(
            f"{where}: thresholds.review ({review}) is above thresholds.match ({match})"
        )
    estimate = str(model.get("estimate", "em"))
    if estimate not in ("em", "fixed"):
        problems.append(f"{where}: model.estimate must be `em` or `fixed`, not `{estimate}`")
    language = str(data.get("language", "ru"))
    if language not in ("ru", "en"):
        problems.append(f"{where}: language must be `ru` or `en`, not `{language}`")
    rules = Rules(
        entity=entity,
        comparisons=tuple(comparisons),
        blocking=tuple(blocking),
        key=str(data["key"]) if data.get("key") is not None else None,
        match=match,
        review=review,
        estimate=estimate,
        u_sample=int(
            _number(
                model.get("u_sample", 200_000), f"{where}: model.u_sample", problems, 100, 10**8
            )
        ),
        em_iterations=int(
            _number(model.get("iterations", 25), f"{where}: model.iterations", problems, 0, 1000)
        ),
        max_block=int(
            _number(limits.get("max_block", 1000), f"{where}: limits.max_block", problems, 2, 10**6)
        ),
        max_cluster=int(
            _number(
                limits.get("max_cluster", 20), f"{where}: limits.max_cluster", problems, 2, 10**6
            )
        ),
        key_pairs=_number(
            limits.get("key_pairs", 0), f"{where}: limits.key_pairs", problems, 0, 10**6
        ),
        survivorship=surv,
        language=language,
    )
    if problems:
        raise MappingError(
            f"dedupe rules in `{where}` have {len(problems)} problem(s)",
            problems,
            next_step="fix them and run `b24migrate dedupe` again",
        )
    return rules


_TOP_KEYS = {"base", "key", "comparisons", "blocking", "thresholds", "model", "limits",
             "survivorship", "language", "enabled"}  # fmt: skip


def _preset_data(name: str, where: str, problems: list[str]) -> dict[str, Any]:
    presets = _presets()
    if name not in presets:
        problems.append(f"{where}: base `{name}` is not a shipped preset ({', '.join(presets)})")
        return {}
    loaded = yaml.safe_load(presets[name].read_text(encoding="utf-8"))
    return dict(loaded)


def _check_keys(data: Mapping[str, Any], where: str, problems: list[str]) -> None:
    for key in data:
        if key not in _TOP_KEYS:
            problems.append(
                f"{where}: unknown section `{key}` (known: {', '.join(sorted(_TOP_KEYS))})"
            )
    if not data.get("comparisons"):
        problems.append(f"{where}: `comparisons` is missing or empty")
    if "blocking" in data and not data.get("blocking"):
        problems.append(f"{where}: `blocking` is empty (leave it out to block on every comparison)")


def _mapping(value: Any, where: str, problems: list[str]) -> Mapping[str, Any]:
    if isinstance(value, Mapping):
        return value
    problems.append(f"{where} must be a mapping")
    return {}


def _number(value: Any, where: str, problems: list[str], low: float, high: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        problems.append(f"{where} must be a number, not `{value}`")
        return low
    if not low <= number <= high:
        problems.append(f"{where} = {number} is outside {low}…{high}")
    return number


def _columns(value: Any, where: str, problems: list[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str | int) for v in value):
        return tuple(str(v) for v in value)
    problems.append(f"{where}: `columns` must be a column name or a non-empty list of names")
    return ()


def _parse_comparisons(raw: Any, where: str, problems: list[str]) -> list[Comparison]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.append(f"{where}: `comparisons` must be a list")
        return []
    out: list[Comparison] = []
    for index, item in enumerate(raw, start=1):
        here = f"{where}: comparisons[{index}]"
        if not isinstance(item, Mapping):
            problems.append(f"{here} must be a mapping with name, kind, columns")
            continue
        comparison = _parse_comparison(item, here, problems)
        if comparison is None:
            continue
        if any(c.name == comparison.name for c in out):
            problems.append(f"{here}: name `{comparison.name}` is used twice")
        out.append(comparison)
    return out


_COMPARISON_KEYS = {"name", "kind", "columns", "column", "levels", "scorer", "strong", "validate",
                    "required", "tf", "relatives"}  # fmt: skip


def _parse_comparison(item: Mapping[str, Any], here: str, problems: list[str]) -> Comparison | None:
    for key in item:
        if key not in _COMPARISON_KEYS:
            problems.append(f"{here}: unknown key `{key}`")
    kind = str(item.get("kind", ""))
    if kind not in KINDS:
        problems.append(f"{here}: kind `{kind}` is not one of {', '.join(KINDS)}")
        return None
    columns = _columns(item.get("columns", item.get("column")), here, problems)
    name = str(item.get("name") or (columns[0] if columns else kind))
    allowed, default = KINDS[kind]
    levels = tuple(_parse_level(v, allowed, f"{here} ({name}) level", problems)
                   for v in item.get("levels", default))  # fmt: skip
    scorer = str(item.get("scorer", "token_sort_ratio"))
    if scorer not in SCORERS:
        problems.append(f"{here}: scorer `{scorer}` is not one of {', '.join(sorted(SCORERS))}")
    validate = str(item.get("validate", "none"))
    if validate not in _VALIDATORS:
        problems.append(f"{here}: validate `{validate}` is not one of {', '.join(_VALIDATORS)}")
    return Comparison(
        name=name,
        kind=kind,
        columns=columns,
        levels=levels,
        scorer=scorer,
        strong=bool(item.get("strong", kind == "identifier" and validate != "none")),
        validate=validate,
        required=bool(item.get("required", False)),
        tf=bool(item.get("tf", False)),
        relatives=bool(item.get("relatives", False)),
    )


def _parse_level(raw: Any, allowed: frozenset[str], here: str, problems: list[str]) -> Level:
    if isinstance(raw, str):
        raw = {"name": raw}
    if not isinstance(raw, Mapping):
        problems.append(f"{here} `{raw}` must be a name or a mapping")
        return Level("exact")
    raw = dict(raw)
    name = raw.pop("name", None)
    threshold = raw.pop("threshold", None)
    for candidate in ("fuzzy", "within", "suffix", "part", "parts"):
        if candidate in raw:
            name, threshold = candidate, raw.pop(candidate)
    m, u = raw.pop("m", None), raw.pop("u", None)
    for key in raw:
        problems.append(f"{here}: unknown key `{key}`")
    if name not in allowed:
        problems.append(
            f"{here} `{name}` is not allowed here (allowed: {', '.join(sorted(allowed))})"
        )
        return Level("exact")
    if name in ("fuzzy", "within", "suffix", "part", "parts"):
        if threshold is None:
            problems.append(f"{here} `{name}` needs a value, e.g. {{{name}: 0.9}}")
            threshold = 1.0
        high = 1.0 if name in ("fuzzy", "part", "parts") else 1e9
        threshold = _number(threshold, f"{here} `{name}`", problems, 0, high)
    for label, value in (("m", m), ("u", u)):
        if value is not None:
            _number(value, f"{here} {label}", problems, 1e-9, 1)
    return Level(str(name), None if threshold is None else float(threshold),
                 None if m is None else float(m), None if u is None else float(u))  # fmt: skip


def _parse_blocking(
    raw: Any, comparisons: Mapping[str, Comparison], where: str, problems: list[str]
) -> list[BlockingKey]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.append(f"{where}: `blocking` must be a list")
        return []
    out: list[BlockingKey] = []
    for index, item in enumerate(raw, start=1):
        here = f"{where}: blocking[{index}]"
        if isinstance(item, str):
            if item not in comparisons:
                problems.append(f"{here}: `{item}` names no comparison ({', '.join(comparisons)})")
                continue
            comparison = comparisons[item]
            transform = _KIND_TRANSFORM[comparison.kind]
            out.append(BlockingKey(item, comparison.columns, (transform,), comparison=item))
            continue
        if not isinstance(item, Mapping):
            problems.append(f"{here} must be a comparison name or a mapping with columns")
            continue
        columns = _columns(item.get("columns", item.get("column")), here, problems)
        transform = item.get("transform", "exact")
        transforms = tuple(transform) if isinstance(transform, list) else (transform,)
        if len(transforms) > 1 and len(transforms) != len(columns):
            problems.append(f"{here}: {len(transforms)} transforms for {len(columns)} columns")
        for t in transforms:
            if t not in TRANSFORMS:
                problems.append(
                    f"{here}: transform `{t}` is not one of {', '.join(sorted(TRANSFORMS))}"
                )
        name = str(item.get("name") or "+".join(columns))
        out.append(BlockingKey(name, columns, tuple(str(t) for t in transforms)))
    return out


_KIND_TRANSFORM = {
    "exact": "exact", "phone": "phone", "email": "email", "identifier": "identifier",
    "person_name": "name_key", "company_name": "company_key", "text": "exact", "date": "exact",
    "number": "exact", "code": "codes",
}  # fmt: skip


def _parse_survivorship(raw: Any, where: str, problems: list[str]) -> Survivorship:
    data = _mapping(raw, f"{where}: survivorship", problems)
    prefer = tuple(str(p) for p in data.get("prefer", ("completeness", "recency")))
    for p in prefer:
        if p not in _PREFER:
            problems.append(
                f"{where}: survivorship.prefer `{p}` is not one of {', '.join(_PREFER)}"
            )
    recency = data.get("recency", ("DATE_MODIFY", "DATE_CREATE"))
    recency = (recency,) if isinstance(recency, str) else tuple(str(r) for r in recency)
    return Survivorship(prefer, recency, bool(data.get("fill_empty", True)))
