"""`plan_workspace`: the dry run of a workspace, from its clean tables to the ledger.

It takes what the earlier stages produced (the prepare stage's clean tables and issues, the
dedupe stage's survivors) and does everything except writing to the portal: portal metadata →
list labels as item ids → every row checked and turned into records (owners, references,
stages, fields, enumerations, currencies, required fields) → records the portal already holds
matched (``on_existing``) → ledger (content-hash delta) + plan issues. Reads the portal only;
the orchestrator renders ``reports/plan.xlsx`` from the result.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import httpx
import pandas as pd

from mappings.entities import SMART_PROCESS, ledger_entity
from migrate.dedupe.stage import DedupedTables
from migrate.ledger import (
    Ledger,
    LedgerRecord,
    Op,
    PlanIssue,
    PlannedRecord,
    PlanSummary,
    State,
)
from migrate.ledger.blockers import (
    INPUTS_META,
    NO_DEDUPE_META,
    ROUTE_META,
    SKIP_META,
    STRUCTURE_META,
    Blocker,
    plan_blockers,
)
from migrate.ledger.cutover import NO_OWNER_META, gone_setting
from migrate.plan._added_files import ADDED_FILES, keep_created_files, plan_added_files
from migrate.plan._backdate import SOURCE_HASH, Backdating, plan_backdating
from migrate.plan._checks import unmapped_required
from migrate.plan._cutover import (
    CHOICES_META,
    GONE_META,
    LISTED_META,
    Cutover,
    apply_conflicts,
    gone_records,
    listed_stamps,
    merge_choices,
    read_edited,
)
from migrate.plan._downloads import UrlFetcher
from migrate.plan._enums import enum_ids
from migrate.plan._existing import (
    COMM_ENTITIES,
    ORIGIN_ENTITIES,
    ExistingRecord,
    PortalRecord,
    match_existing,
    normalize_comm,
    read_records,
)
from migrate.plan._files import Attachments, scan_attachments
from migrate.plan._history import HistoryDate, history_dates
from migrate.plan._merges import Merge, listed_merges
from migrate.plan._metadata import PortalMetadata, PortalUser, read_portal_metadata
from migrate.plan._owner_map import CountingResolver, OwnerMapping
from migrate.plan._owners import NO_OWNER_HINT, OwnerChoice, OwnerResolver
from migrate.plan._price_edits import PRICES, keep_taken_prices, read_price_edits
from migrate.plan._records import plan_table
from migrate.plan._refs import ReferenceIndex
from migrate.plan._requisite_tables import (
    TABLE_PREFIX,
    addresses_on_portal_requisites,
    part_keys,
    reuse_portal_requisites,
    settle_requisites,
)
from migrate.plan._route import RouteChoice, check_route, choose_route
from migrate.plan._structure import StructureProposal, propose_structure, split_multiple
from migrate.plan._structure_ledger import accepted_structure
from migrate.portal.connect import open_portal
from migrate.portal.source import SourceUserField, source_user_fields
from migrate.prepare.stage import PreparedData
from migrate.progress import ProgressCallback, emit
from migrate.workspace.config import MigrationConfig, Workspace
from migrate.workspace.inputs import inputs_fingerprint
from migrate.workspace.scaffold import check_not_sample

__all__ = ["MatchedRecord", "OwnerMapping", "PlanResult", "plan_workspace"]

_TABLE_ENTITY = {"note": "comment"}
_MULTI = ("PHONE", "EMAIL")


@dataclass(frozen=True, slots=True)
class MatchedRecord:
    """A source record the portal already holds, and what the plan does with it."""

    existing: ExistingRecord
    op: Op
    source: str = ""
    row: int | None = None


@dataclass(frozen=True, slots=True)
class PlanResult:
    """What one `plan` did.

    Attributes:
        run_id: the ledger run of this plan.
        counts: ``(entity, op)`` → records planned (``op`` as the load will see it).
        delta: what the ledger did with them (new / changed / unchanged … per entity).
        issues: refused rows (``error``) and warnings, validation errors included.
        owners: every legacy owner and the portal user it maps to.
        matches: records the portal already holds.
        blockers: problems that stop `load` (empty when clean or accepted with skip_refused).
        skip_refused: the refused rows were left out on purpose.
        withdrawn: records of an earlier plan no longer planned (refused or gone).
        dedupe: whether dedupe ran (survivors planned, absorbed keys re-pointed).
        seconds: wall time per step.
        backdating: which new records keep their creation date, which cannot and why.
        merges: every merge applied (what `dedupe` decided), listed in plan.xlsx.
        structure: the user fields, pipelines and stages the portal lacks, proposed.
        structure_accepted: the proposal is accepted (the load creates it first).
        structure_new: the part of ``structure`` no earlier load created (what is left to
            create; empty on a re-plan of a workspace whose structure exists).
        cutover: on a loaded workspace, the records edited in the portal since our write
            (conflicts, held until the client decides) and those gone from the sources.
        portal_users: the portal's employees (`user.get`, dismissed ones too).
        route: the load's route the plan chose (stored in the ledger; `load` takes it) and
            how many records fire the portal's automation on it.
        history: which dates of the planned history (comments, activities, tasks) the portal
            keeps as they were and which go into the text.
    """

    run_id: int
    counts: Mapping[tuple[str, str], int]
    delta: PlanSummary
    issues: tuple[PlanIssue, ...]
    owners: tuple[OwnerMapping, ...]
    matches: tuple[MatchedRecord, ...]
    blockers: tuple[Blocker, ...]
    skip_refused: bool
    withdrawn: int
    dedupe: bool
    seconds: Mapping[str, float] = field(default_factory=dict)
    backdating: Backdating = field(default_factory=Backdating)
    merges: tuple[Merge, ...] = ()
    structure: StructureProposal = field(default_factory=StructureProposal)
    structure_accepted: bool = False
    cutover: Cutover = field(default_factory=Cutover)
    route: RouteChoice = field(default_factory=lambda: RouteChoice("add", "add"))
    portal_users: tuple[PortalUser, ...] = ()
    history: tuple[HistoryDate, ...] = ()
    structure_new: StructureProposal = field(default_factory=StructureProposal)

    def count(self, entity: str, op: str) -> int:
        return self.counts.get((entity, op), 0)

    @property
    def refused(self) -> tuple[PlanIssue, ...]:
        return tuple(i for i in self.issues if i.severity == "error")


def plan_workspace(
    workspace: Workspace,
    prepared: PreparedData,
    deduped: DedupedTables | None = None,
    *,
    skip_refused: bool = False,
    owner_choices: Mapping[str, OwnerChoice] | None = None,
    accept_structure: bool = False,
    transport: httpx.AsyncBaseTransport | None = None,
    on_progress: ProgressCallback | None = None,
    choices: Mapping[str, str] | None = None,
) -> PlanResult:
    """Plan the clean (and deduplicated) tables against the portal; write the ledger.

    Args:
        prepared: the prepare stage's result (its issues are the rows validation refused).
        deduped: the dedupe stage's result on ``prepared`` (``None``: plan every source row).
        skip_refused: accept leaving out the rows refused for blocking reasons (unknown
            stages, fields, owners without a default …); `load` then starts anyway.
        owner_choices: the client's owners from `reports/owners.xlsx` (they come first; one
            that names no active portal user raises ``ConfigError`` with its cell).
        accept_structure: accept the proposed structure (as `load.structure: create` does):
            the rows that need it are planned and `load` creates it first.
        transport: replaces the network (tests mount a sandbox app).
        on_progress: told of each step done (step ``plan``, in steps).
        choices: the client's conflict decisions read from plan.xlsx (``entity\tkey`` →
            ``portal`` | ``source``; :mod:`migrate.plan._cutover`), on top of the stored ones.
    """
    check_not_sample(workspace, prepared.config)
    accept = accept_structure or prepared.config.load.structure == "create"
    options = (skip_refused, accept)
    return asyncio.run(
        _plan(workspace, prepared, deduped, options, owner_choices or {}, transport, on_progress,
              choices or {})
    )  # fmt: skip


async def _plan(
    workspace: Workspace,
    data: PreparedData,
    deduped: DedupedTables | None,
    choices: tuple[bool, bool],
    owner_choices: Mapping[str, OwnerChoice],
    transport: httpx.AsyncBaseTransport | None,
    on_progress: ProgressCallback | None = None,
    decisions: Mapping[str, str] | None = None,
) -> PlanResult:
    skip_refused, accept = choices
    timer = _Timer(on_progress)
    config = data.config
    inputs = inputs_fingerprint(workspace, config)  # before the portal: a later edit is a change
    options = {} if transport is None else {"transport": transport}
    async with open_portal(workspace, config, **options) as client:
        catalog = any(e in data.tables for e in ("product", "product_section"))
        smart = data.mappings.get(SMART_PROCESS) if SMART_PROCESS in data.tables else None
        meta = await read_portal_metadata(
            client, catalog=catalog, smart_process=smart.smart_process if smart else None,
            smart_file=smart.file if smart else "",
        )  # fmt: skip
        timer.lap("portal metadata")
        check_route(config.load.route, meta.admin, config.file, config.language)
        workspace.state_dir.mkdir(parents=True, exist_ok=True)
        with Ledger.for_workspace(workspace.root, config.name) as ledger, ledger.exclusive("plan"):
            tables, survivors = _tables(data, deduped)
            structure = accepted_structure(
                ledger, meta, accept,
                lambda m: propose_structure(tables, data.mappings, m, _defined(workspace, data)),
            )  # fmt: skip
            meta = structure.meta
            tables = {e: split_multiple(t, e, structure.proposal) for e, t in tables.items()}
            tables = {e: enum_ids(t, meta, e) for e, t in tables.items()}
            known = {e: ledger.b24_ids(e) for e in (*tables, "comment")}
            owners = CountingResolver(meta, config, owner_choices)
            files = _attachments(workspace, config, tables, meta)
            records, issues = _plan_tables(tables, survivors, known, meta, owners, config, files)
            records, issues = structure.apply(records, issues, config.language)
            issues = _validation_issues(data) + _unmapped(data, meta) + issues
            timer.lap("check")
            previous = _previous(ledger, ORIGIN_ENTITIES)
            records, files_now = keep_created_files(records, previous)
            matches = await match_existing(
                client, config.name, tables, skip_keys={e: set(k) for e, k in known.items()},
                iblock=meta.catalog_iblock,
                smart_type=meta.smart.entity_type_id if meta.smart else None,
            )  # fmt: skip
            matches, claimed = _unique_claims(matches, known, tables, config.language)
            issues += claimed
            changed = _changed_updates(previous, records, matches)
            portal = {
                e: await read_records(client, e, sorted(ids)) for e, ids in changed.items() if ids
            }
            timer.lap("match existing")
            records, matched = _apply_matches(records, matches, portal, config, previous, tables)
            records = await addresses_on_portal_requisites(client, records)
            dated = {**previous, **_previous(ledger, ("activity",))}  # edits are conflicts
            edited = await read_edited(client, ledger, dated)
            prices = {r.source_key: r for r in ledger.records(PRICES)}
            records = keep_taken_prices(records, prices)
            edited.update(await read_price_edits(client, records, prices))  # no timestampX move
            dated.update({(PRICES, k): r for k, r in prices.items()})
            decided = merge_choices(
                ledger.meta(CHOICES_META), ledger.meta(LISTED_META), decisions or {}
            )
            records, conflicts = apply_conflicts(records, dated, edited, decided, known)
            earlier = {r.source_key: r for r in ledger.records(ADDED_FILES)}
            records = await plan_added_files(client, records, previous, earlier, files_now)
            held = {**dated, **_previous(ledger, _HISTORY), **_table_parts(ledger)}
            present = {**_present(data), **_planned_parts(data, records, issues)}
            cutover = Cutover(tuple(conflicts), tuple(gone_records(held, present)))
            route = choose_route(config.load.route, meta.admin)
            backdating = await plan_backdating(client, records, config, meta.fields, route)
            records, issues = list(backdating.records), issues + list(backdating.issues)
            with ledger.transaction():  # the whole plan or none of it
                run = ledger.start_run("plan")
                delta = ledger.apply_plan(run.id, records)
                withdrawn = ledger.withdraw_absent((r.entity, r.source_key) for r in records)
                ledger.replace_issues(run.id, issues)
                ledger.set_meta(SKIP_META, str(run.id) if skip_refused else None)
                ledger.set_meta(NO_DEDUPE_META, str(run.id) if deduped is None else None)
                ledger.set_meta(STRUCTURE_META, str(run.id) if accept else None)
                ledger.set_meta(INPUTS_META, inputs)
                ledger.set_meta(CHOICES_META, json.dumps(decided, ensure_ascii=False))
                ledger.set_meta(LISTED_META, listed_stamps(conflicts))
                gone = ((g.entity, g.source_key) for g in cutover.gone)
                ledger.set_meta(GONE_META, gone_setting(gone))
                ledger.set_meta(NO_OWNER_META, _no_owner_setting(owners.mappings()))
                counts = _op_counts(ledger)
                chosen = RouteChoice.of(config.load.route, meta.admin, counts)
                ledger.set_meta(ROUTE_META, chosen.to_json())
                blockers = plan_blockers(ledger)
                ledger.finish_run(run.id)
            timer.lap("ledger")
    return PlanResult(
        run.id, counts, delta, tuple(issues), owners.mappings(), tuple(matched),
        tuple(blockers), skip_refused, withdrawn, deduped is not None and bool(survivors),
        timer.laps, backdating, listed_merges(data.tables, survivors), structure.proposal,
        structure.accepted, cutover, chosen, meta.users,
        history_dates({r.entity for r in records}), structure.new,
    )  # fmt: skip


def _tables(
    data: PreparedData, deduped: DedupedTables | None
) -> tuple[dict[str, pd.DataFrame], dict[str, dict[str, str]]]:
    """The tables to plan (survivors when deduplicated), list labels still as written."""
    if deduped is None:
        tables, survivors = dict(data.tables), {}
    else:
        tables, survivors = dict(deduped.tables), deduped.key_maps()
    tables = {e: t.drop(columns=["_absorbed"], errors="ignore") for e, t in tables.items()}
    return tables, survivors


#: History records without ``ORIGIN_ID`` whose deletion in the source the cut-over lists too.
_HISTORY = ("activity", "task", "comment")
#: Requisite tables: their ledger keys are not the rows' keys (``rq/<key>``, an address
#: ``<requisite>/<type>``), so what is present is what this plan planned or refused.
_PARTS = ("requisite", "bank_detail", "address")


def _table_parts(ledger: Ledger) -> dict[tuple[str, str], LedgerRecord]:
    """Records of the requisite tables loaded before (not a company row's own requisite)."""
    found = _previous(ledger, _PARTS)
    return {k: r for k, r in found.items()
            if r.entity != "requisite" or r.source_key.startswith(TABLE_PREFIX)}  # fmt: skip


def _planned_parts(
    data: PreparedData, records: Sequence[PlannedRecord], issues: Sequence[PlanIssue]
) -> dict[str, set[str]]:
    """Requisite-table entity → the ledger keys planned now, and keys of rows refused."""
    out: dict[str, set[str]] = {e: set() for e in _PARTS if e in data.tables}
    for entity, key in [
        *((r.entity, r.source_key) for r in records),
        *((i.entity, i.source_key) for i in issues if i.severity == "error"),
    ]:
        if entity in out:
            out[entity].add(key)
    if "requisite" in out:  # a refused row has the row's own key, a planned one rq/<key>
        out["requisite"] |= {f"{TABLE_PREFIX}{k}" for k in out["requisite"]}
    for entity, keys in part_keys(data.tables).items():  # refused or not, still in the source
        out.setdefault(entity, set()).update(keys)
    return out


def _present(data: PreparedData) -> dict[str, set[str]]:
    """load entity → every source key of the new export: clean rows (absorbed duplicates too,
    as dedupe has not run on these tables) and rows validation refused."""
    present = {ledger_entity(e): {str(k) for k in t["_key"]} for e, t in data.tables.items()}
    errors = data.issues[data.issues["severity"] == "error"]
    for entity, key in zip(errors["entity"], errors["key"], strict=True):
        name = ledger_entity(str(entity))
        if name in present and key is not None and str(key):
            present[name].add(str(key))
    return present


def _unmapped(data: PreparedData, meta: PortalMetadata) -> list[PlanIssue]:
    """Portal-required fields a mapping never fills: one blocking issue per entity and field."""
    out = []
    for entity, mapping in data.mappings.items():
        if entity not in data.tables:
            continue
        for problem in unmapped_required(meta, entity, mapping.targets()):
            out.append(
                PlanIssue(entity, "", problem.rule, problem.message(data.config.language),
                          "error", problem.field, "", mapping.file, "", None)
            )  # fmt: skip
    return out


def _plan_tables(
    tables: Mapping[str, pd.DataFrame],
    survivors: Mapping[str, Mapping[str, str]],
    known: Mapping[str, Mapping[str, int]],
    meta: PortalMetadata,
    owners: OwnerResolver,
    config: MigrationConfig,
    attachments: Attachments | None = None,
) -> tuple[list[PlannedRecord], list[PlanIssue]]:
    keys = {e: {str(k) for k in t["_key"]} | set(known.get(e, {})) for e, t in tables.items()}
    index = ReferenceIndex(keys, survivors)
    records: list[PlannedRecord] = []
    issues: list[PlanIssue] = []
    for entity, table in tables.items():
        planned = plan_table(entity, table, meta=meta, owners=owners, index=index,
                             language=config.language, attachments=attachments)  # fmt: skip
        records += planned.records
        issues += planned.issues
    loaded = known.get("requisite", {})
    return settle_requisites(records, issues, config.language, loaded), issues


_LINK = re.compile(r"(?i)https?://")


def _attachments(
    workspace: Workspace,
    config: MigrationConfig,
    tables: Mapping[str, pd.DataFrame],
    meta: PortalMetadata,
) -> Attachments:
    """Every file the tables name (history ``FILES``, file user fields), looked for beside
    its source file; links downloaded into the workspace's files cache."""
    folders = {
        path.name: path.parent
        for spec in config.sources.values()
        for path in workspace.source_files(spec)
    }
    cells = [
        (str(source), cell)
        for entity, table in tables.items()
        for column in _file_columns(entity, table, meta)
        for source, cell in zip(table["_source"], table[column], strict=True)
    ]
    limit = int(config.load.max_file_mb * 1024 * 1024 * 4 / 3)
    if not any(_LINK.search(str(cell)) for _, cell in cells):
        return scan_attachments(cells, folders, limit)
    with UrlFetcher(workspace.state_dir / "files", limit * 3 // 4) as fetcher:
        return scan_attachments(cells, folders, limit, fetcher.fetch)


def _file_columns(entity: str, table: pd.DataFrame, meta: PortalMetadata) -> list[str]:
    files = {n for n, info in meta.fields.get(entity, {}).items() if info.type == "file"}
    return [c for c in table.columns if c == "FILES" or c in files]


def _validation_issues(data: PreparedData) -> list[PlanIssue]:
    """The rows validation kept out of the CleanTables, as refused plan rows."""
    errors = data.issues[data.issues["severity"] == "error"]
    return [
        PlanIssue(
            str(row["entity"]),
            str(row["key"] or ""),
            str(row["rule"]),
            str(row["message"]),
            "error",
            str(row["field"] or row["column"] or ""),
            str(row["value"] or ""),
            str(row["source"] or ""),
            str(row["sheet"] or ""),
            None if pd.isna(row["row"]) else int(row["row"]),
        )
        for row in errors.to_dict("records")
    ]


def _changed_updates(
    previous: Mapping[tuple[str, str], LedgerRecord],
    records: list[PlannedRecord],
    matches: Mapping[str, Any],
) -> dict[str, set[int]]:
    """Portal ids of records loaded before whose content changed: their phones are read so an
    update adds only new ones."""
    ids: dict[str, set[int]] = {}
    for record in records:
        if record.entity not in COMM_ENTITIES or record.source_key in matches.get(
            record.entity, {}
        ):
            continue
        old = previous.get((record.entity, record.source_key))
        if old is None or old.b24_id is None or old.state is not State.DONE:
            continue
        if old.fields.get(SOURCE_HASH, old.content_hash) != record.content_hash:
            ids.setdefault(record.entity, set()).add(old.b24_id)
    return ids


def _apply_matches(
    records: list[PlannedRecord],
    matches: Mapping[str, Mapping[str, ExistingRecord]],
    portal: Mapping[str, Mapping[int, PortalRecord]],
    config: MigrationConfig,
    previous: Mapping[tuple[str, str], LedgerRecord],
    tables: Mapping[str, pd.DataFrame],
) -> tuple[list[PlannedRecord], list[MatchedRecord]]:
    """Decide create/update/skip for records the portal holds; trim phones it already has."""
    on_existing = config.load.on_existing
    out: list[PlannedRecord] = []
    matched: list[MatchedRecord] = []
    skipped: set[tuple[str, str]] = set()
    where = _provenance(tables)
    for record in records:
        found = matches.get(record.entity, {}).get(record.source_key)
        if found is not None:
            op = _op(found, on_existing)
            matched.append(
                MatchedRecord(found, op, *where.get((record.entity, record.source_key), ("", None)))
            )
            if op is Op.SKIP:
                skipped.add((record.entity, record.source_key))
                out.append(replace(record, op=Op.SKIP, b24_id=found.b24_id))
            elif op is Op.UPDATE:
                out.append(_as_update(record, found.b24_id, found.portal))
            else:
                out.append(record)
            continue
        old = previous.get((record.entity, record.source_key))
        if old is not None and old.op is Op.SKIP and on_existing == "skip":
            out.append(replace(record, op=Op.SKIP, b24_id=old.b24_id))
            continue
        if (  # loaded before from the same source content (its date kept, or moved aside)
            old is not None
            and old.b24_id is not None
            and old.fields.get(SOURCE_HASH, old.content_hash) == record.content_hash
        ):
            out.append(replace(record, fields=dict(old.fields), op=old.op, b24_id=old.b24_id))
            continue
        holder = portal.get(record.entity, {}).get(old.b24_id) if old and old.b24_id else None
        if holder and old:
            out.append(_as_update(record, old.b24_id, holder))
        elif old is not None and old.b24_id is not None:
            # already in the portal: never a create again, so its creation date is not
            # re-decided against records loaded after it (that made every record "changed")
            out.append(replace(record, b24_id=old.b24_id))
        else:
            out.append(record)
    return _children(out, matches, skipped), matched


_RANK = {"origin": 0, "inn": 1, "phone": 2, "email": 3}
_CLAIMED = (
    "запись портала {id} уже соответствует строке «{other}»; эта строка будет создана отдельно",
    "portal record {id} already stands for “{other}”; this row will be created separately",
)


def _unique_claims(
    matches: Mapping[str, Mapping[str, ExistingRecord]],
    known: Mapping[str, Mapping[str, int]],
    tables: Mapping[str, pd.DataFrame],
    language: str,
) -> tuple[dict[str, dict[str, ExistingRecord]], list[PlanIssue]]:
    """One portal record stands for one source record: the strongest match keeps it (a record
    loaded earlier first), the others are created and listed as warnings."""
    where = _provenance(tables)
    out: dict[str, dict[str, ExistingRecord]] = {}
    issues: list[PlanIssue] = []
    for entity, found in matches.items():
        holders = {b24_id: key for key, b24_id in known.get(entity, {}).items()}
        kept: dict[str, ExistingRecord] = {}
        for match in sorted(found.values(), key=lambda m: (_RANK[m.by], m.source_key)):
            other = holders.setdefault(match.b24_id, match.source_key)
            if other == match.source_key:
                kept[match.source_key] = match
                continue
            source, row = where.get((entity, match.source_key), ("", None))
            text = _CLAIMED[1 if language == "en" else 0].format(id=match.b24_id, other=other)
            issues.append(
                PlanIssue(entity, match.source_key, "existing.claimed", text, "warning",
                          match.by.upper(), match.value, source, "", row)
            )  # fmt: skip
        out[entity] = kept
    return out, issues


def _previous(ledger: Ledger, entities: Sequence[str]) -> dict[tuple[str, str], LedgerRecord]:
    """The ledger's records of ``entities`` from earlier plans, by ``(entity, source key)``."""
    return {(r.entity, r.source_key): r for e in entities for r in ledger.records(e)}


def _op(found: ExistingRecord, on_existing: str) -> Op:
    if on_existing == "skip":
        return Op.SKIP
    if on_existing == "create" and found.by != "origin":
        return Op.CREATE
    return Op.UPDATE


def _as_update(
    record: PlannedRecord, b24_id: int | None, portal: PortalRecord | None
) -> PlannedRecord:
    """An update that does not append phones or e-mails the portal record already has, nor
    replaces its owner when the source names none (:data:`NO_OWNER_HINT`)."""
    fields = dict(record.fields)
    if fields.pop(NO_OWNER_HINT, None):
        fields.pop("ASSIGNED_BY_ID", None)
    if portal is not None:
        for kind in _MULTI:
            have = portal.comms.get(kind, frozenset())
            values = [
                v for v in fields.get(kind) or [] if normalize_comm(kind, str(v[0])) not in have
            ]
            if values:
                fields[kind] = values
            else:
                fields.pop(kind, None)
        fields[SOURCE_HASH] = record.content_hash
    return replace(record, op=Op.UPDATE, b24_id=b24_id, fields=fields)


def _children(
    records: list[PlannedRecord],
    matches: Mapping[str, Mapping[str, ExistingRecord]],
    skipped: set[tuple[str, str]],
) -> list[PlannedRecord]:
    """Requisites the matched company already has are skipped; a skipped deal keeps its rows
    (a requisite table's rows: :func:`reuse_portal_requisites`)."""
    out = []
    for record in reuse_portal_requisites(records, matches, skipped):
        if record.entity == "requisite" and not record.source_key.startswith(TABLE_PREFIX):
            company = matches.get("company", {}).get(record.source_key)
            inn = str(record.fields.get("RQ_INN") or "")
            existing = company.portal.requisites.get(inn) if company and company.portal else None
            if existing is not None:
                out.append(replace(record, op=Op.SKIP, b24_id=existing))
                continue
            if ("company", record.source_key) in skipped:
                continue
        if record.entity == "deal_products" and ("deal", record.source_key) in skipped:
            continue
        out.append(record)
    return out


def _provenance(
    tables: Mapping[str, pd.DataFrame],
) -> dict[tuple[str, str], tuple[str, int | None]]:
    out: dict[tuple[str, str], tuple[str, int | None]] = {}
    for entity, table in tables.items():
        if "_source" not in table.columns:
            continue
        for key, source, row in zip(table["_key"], table["_source"], table["_row"], strict=True):
            out[(entity, str(key))] = (str(source), None if pd.isna(row) else int(row))
    return out


def _no_owner_setting(owners: Sequence[OwnerMapping]) -> str:
    """The :data:`NO_OWNER_META` value: records per entity whose source names no owner."""
    counts = next((dict(o.by_entity) for o in owners if not o.legacy), {})
    return json.dumps(counts, ensure_ascii=False, sort_keys=True)


def _op_counts(ledger: Ledger) -> dict[tuple[str, str], int]:
    """Records per ``(entity, op)`` still to do, and ``skip`` / ``done`` ones as such."""
    counts: Counter[tuple[str, str]] = Counter()
    for c in ledger.counts():
        if c.op is Op.SKIP:
            counts[(c.entity, "skip")] += c.count
        elif c.state is State.DONE:
            counts[(c.entity, "unchanged")] += c.count
        else:
            counts[(c.entity, str(c.op))] += c.count
    return dict(counts)


class _Timer:
    STEPS = 4  # portal metadata, check, match existing, ledger

    def __init__(self, on_progress: ProgressCallback | None = None) -> None:
        self.started = self.last = time.perf_counter()
        self.laps: dict[str, float] = {}
        self.on_progress = on_progress
        emit(on_progress, "plan", 0, self.STEPS, unit="steps")

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self.last, 3)
        self.laps["total"] = round(now - self.started, 3)
        self.last = now
        done = len(self.laps) - 1
        emit(self.on_progress, "plan", done, self.STEPS, unit="steps", finished=done >= self.STEPS)


def _defined(workspace: Workspace, data: PreparedData) -> dict[str, Mapping[str, SourceUserField]]:
    """Entity → the source portal's definitions of its user fields, for the entities read
    from a source portal (the others: none, their fields are guessed from the values)."""
    if data.config.source_portal is None:
        return {}
    kept = source_user_fields(workspace.root)
    out: dict[str, Mapping[str, SourceUserField]] = {}
    for entity, mapping in data.mappings.items():
        spec = data.config.sources.get(mapping.source_name)
        if spec is not None and spec.portal in kept:
            out[entity] = kept[spec.portal]
    return out
