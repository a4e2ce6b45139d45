"""The sample account's own pipeline: what the generator writes is what the edit maps."""

from __future__ import annotations

from mappings.schema import load_mapping
from migrate.workspace.scaffold import init_workspace
from sample_data._deals import STAGES
from sample_data.account import SAMPLE_PIPELINE, SAMPLE_STAGES, map_sample_pipelines


def test_the_edit_maps_every_stage_the_generator_writes():
    assert set(SAMPLE_STAGES) == set(STAGES[SAMPLE_PIPELINE])


def test_the_edit_adds_the_pipeline_and_keeps_the_preset(tmp_path):
    init_workspace(tmp_path, "sample")
    path = tmp_path / "mappings" / "deal.yaml"
    preset = load_mapping(path)
    assert SAMPLE_PIPELINE not in (preset.field("CATEGORY_ID").value_map or {})
    map_sample_pipelines(path)
    edited = load_mapping(path)
    assert edited.field("CATEGORY_ID").value_map == {
        **preset.field("CATEGORY_ID").value_map, SAMPLE_PIPELINE: "1"}  # fmt: skip
    stages = edited.field("STAGE_ID").value_map
    assert stages[f"{SAMPLE_PIPELINE} / Заявка подана"] == "C1:UC_TALKS"
    assert len(stages) == len(preset.field("STAGE_ID").value_map) + len(SAMPLE_STAGES)
    untouched = [f for f in edited.fields if f.name not in ("CATEGORY_ID", "STAGE_ID")]
    assert untouched == [f for f in preset.fields if f.name not in ("CATEGORY_ID", "STAGE_ID")]
