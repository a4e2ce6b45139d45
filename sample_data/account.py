"""What the sample amoCRM account has that no preset knows: its own «Тендеры» pipeline.

Real accounts have pipelines of their own; the generator gives the sample one, «Тендеры»,
beside the default pipeline. The sample preset maps only the default pipeline, so in a workspace
of the sample those deals are refused (`map.unknown`) until the specialist maps the pipeline to
one of the portal's — the edit :func:`map_sample_pipelines` makes (the demo, the load
rehearsals and the load benchmarks call it): «Тендеры» → the portal's second deal pipeline,
category 1, whose stages the sandbox seeds as ``C1:NEW``, ``C1:UC_TALKS``, ``C1:WON`` and
``C1:LOSE`` (a custom stage has a ``UC_`` id, as on a real portal).

The other way, :func:`keep_sample_pipelines` (the demo): the pipeline and its stages are kept
by name, so the plan finds no such pipeline on the portal and proposes to create it with its
stages (accepted with ``load.structure: create``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path

from mappings.model import FieldMapping
from mappings.schema import load_mapping, to_yaml

__all__ = ["SAMPLE_PIPELINE", "SAMPLE_STAGES", "keep_sample_pipelines", "map_sample_pipelines"]

SAMPLE_PIPELINE = "Тендеры"
_CATEGORY = "1"
#: The pipeline's stages as the generator writes them (`_deals.STAGES`) → the portal's stage.
SAMPLE_STAGES = {
    "Подготовка заявки": "C1:NEW",
    "Заявка подана": "C1:UC_TALKS",
    "Успешно реализовано": "C1:WON",
    "Закрыто и не реализовано": "C1:LOSE",
}


def map_sample_pipelines(deal_mapping: Path) -> None:
    """Add the sample's «Тендеры» pipeline to the deal mapping file ``deal_mapping``."""
    mapping = load_mapping(deal_mapping)
    stages = {f"{SAMPLE_PIPELINE} / {name}": stage for name, stage in SAMPLE_STAGES.items()}
    fields = tuple(
        _with_entries(spec, {SAMPLE_PIPELINE: _CATEGORY}) if spec.name == "CATEGORY_ID"
        else _with_entries(spec, stages) if spec.name == "STAGE_ID"
        else spec
        for spec in mapping.fields
    )  # fmt: skip
    deal_mapping.write_text(to_yaml(dataclasses.replace(mapping, fields=fields)), "utf-8")


def keep_sample_pipelines(deal_mapping: Path) -> None:
    """Keep the sample's «Тендеры» pipeline and its stages by name in ``deal_mapping``: the
    plan proposes them as a new pipeline (the portal has none of that name)."""
    mapping = load_mapping(deal_mapping)
    stages = {
        f"{SAMPLE_PIPELINE} / {name}": f"{SAMPLE_PIPELINE} / {name}" for name in SAMPLE_STAGES
    }
    fields = tuple(
        _with_entries(spec, {SAMPLE_PIPELINE: SAMPLE_PIPELINE}) if spec.name == "CATEGORY_ID"
        else _with_entries(spec, stages) if spec.name == "STAGE_ID"
        else spec
        for spec in mapping.fields
    )  # fmt: skip
    deal_mapping.write_text(to_yaml(dataclasses.replace(mapping, fields=fields)), "utf-8")


def _with_entries(spec: FieldMapping, entries: Mapping[str, str]) -> FieldMapping:
    return dataclasses.replace(spec, value_map={**(spec.value_map or {}), **entries})
