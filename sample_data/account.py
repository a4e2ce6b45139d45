"""What the sample amoCRM account has that no preset knows: its own «Тендеры» pipeline, and
its list of contracts, which the client keeps in the smart process «Договоры» on the portal.

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

The contracts (``amocrm/contracts.csv``) go to the smart process «Договоры»: the edit
:func:`add_sample_contracts` writes their mapping (``mappings/smart_process.yaml``: statuses to
the stages a new smart-process pipeline has, links to the contract's company, contact and
deal) and their source into a workspace of the sample. The portal must have the smart process
(the demo's sandbox is seeded with it: ``SandboxConfig.smart_processes``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path

from mappings.model import FieldMapping
from mappings.schema import load_mapping, to_yaml

__all__ = [
    "CONTRACTS",
    "CONTRACTS_MAPPING",
    "SAMPLE_PIPELINE",
    "SAMPLE_SMART_PROCESS",
    "SAMPLE_STAGES",
    "add_sample_contracts",
    "keep_sample_pipelines",
    "map_sample_pipelines",
]

SAMPLE_PIPELINE = "Тендеры"
_CATEGORY = "1"
#: The pipeline's stages as the generator writes them (`_deals.STAGES`) → the portal's stage.
SAMPLE_STAGES = {
    "Подготовка заявки": "C1:NEW",
    "Заявка подана": "C1:UC_TALKS",
    "Успешно реализовано": "C1:WON",
    "Закрыто и не реализовано": "C1:LOSE",
}


SAMPLE_SMART_PROCESS = "Договоры"
CONTRACTS = Path(__file__).parent / "amocrm" / "contracts.csv"
#: The contracts' mapping: statuses as the stages of a new smart-process pipeline (the plan
#: adds the ``DT<type>_<pipeline>:`` prefix), links by the export's ids.
CONTRACTS_MAPPING = f"""entity: smart_process
smart_process: {SAMPLE_SMART_PROCESS}
key: ID
fields:
  TITLE: {{from: Номер договора, clean: [text], required: true}}
  STAGE_ID:
    from: Статус
    map: {{Черновик: NEW, Подготовка: PREPARATION, На согласовании: CLIENT, Подписан: SUCCESS,
      Расторгнут: FAIL}}
  OPPORTUNITY: {{from: Сумма, clean: [money], severity: warning}}
  CURRENCY_ID: {{const: RUB}}
  COMPANY_ID: {{from: ID компании, ref: company}}
  CONTACT_IDS: {{from: ID контакта, ref: contact}}
  PARENT_ID_2: {{from: ID сделки, ref: deal}}
  BEGINDATE: {{from: Дата подписания, clean: [date], severity: warning}}
  CLOSEDATE: {{from: Действует до, clean: [date], severity: warning}}
  ASSIGNED_BY_ID: {{owner: Ответственный}}
"""


def add_sample_contracts(root: Path, contracts: Path = CONTRACTS) -> None:
    """Add the sample's contracts to the workspace at ``root``: the mapping file and the
    ``smart_process`` source in `migration.yaml`."""
    (root / "mappings" / "smart_process.yaml").write_text(CONTRACTS_MAPPING, encoding="utf-8")
    config = root / "migration.yaml"
    text = config.read_text(encoding="utf-8")
    if "\n  smart_process:" not in text:
        source = f"sources:\n  smart_process: {{files: [{contracts.as_posix()}]}}\n"
        config.write_text(text.replace("sources:\n", source, 1), encoding="utf-8")


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
