"""`source_portal` and `{portal: TABLE}` sources: parsed, masked, every mistake named."""

from __future__ import annotations

import pytest

from migrate.errors import ConfigError
from migrate.workspace.config import Workspace, parse_config
from migrate.workspace.runlog import config_secrets

SOURCE = "https://old.bitrix24.ru/rest/7/0ldp0rtalc0de/"
TARGET = "https://new.bitrix24.ru/rest/1/n3wc0de/"
TEXT = """\
name: move
portal: {url: 'env:TARGET'}
source_portal: {url: 'env:SOURCE', plan: enterprise}
sources:
  deal: {portal: deal}
  company: {portal: company}
"""


def test_a_source_portal_and_its_tables_load():
    config = parse_config(TEXT, environ={"SOURCE": SOURCE, "TARGET": TARGET})
    assert config.source_portal is not None
    assert config.source_portal.kind == "webhook"
    assert config.source_portal.plan == "enterprise"
    assert config.source_portal.webhook.reveal() == SOURCE
    assert {n: s.portal for n, s in config.sources.items()} == {"deal": "deal",
                                                                 "company": "company"}  # fmt: skip
    assert config.sources["deal"].files == ()


def test_the_source_webhook_is_masked_everywhere():
    config = parse_config(TEXT, environ={"SOURCE": SOURCE, "TARGET": TARGET})
    for text in (repr(config), str(config.source_portal), config.source_portal.display):
        assert "0ldp0rtalc0de" not in text
    assert (
        config.source_portal.display == "webhook https://old.bitrix24.ru/rest/7/***/ from $SOURCE"
    )
    assert "0ldp0rtalc0de" in config_secrets(config)  # the run log masks it
    assert "n3wc0de" in config_secrets(config)


def test_an_unset_source_variable_waits_until_the_source_is_read():
    config = parse_config(TEXT, environ={"TARGET": TARGET})
    assert config.source_portal.webhook.reveal() == ""
    assert config.source_portal.env == "SOURCE"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("name: x\nsources: {deal: {portal: deal}}\n", "needs the `source_portal:` block"),
        ("name: x\nsource_portal: {url: 'env:S'}\nsources: {deal: {portal: deals}}\n",
         "did you mean `deal`"),
        ("name: x\nsource_portal: {url: 'env:S'}\nsources: {deal: {portal: deal, files: a.csv}}\n",
         "`files` or `portal`, not both"),
        ("name: x\nsource_portal: {url: sandbox}\n", "`source_portal` needs `url: env:VARIABLE`"),
        ("name: x\nsource_portal: {url: 'ftp://x'}\n", "`source_portal.url` must be"),
    ],
)  # fmt: skip
def test_every_mistake_is_named_with_its_line(text, says):
    with pytest.raises(ConfigError) as raised:
        parse_config(text, "migration.yaml", {"S": SOURCE})
    assert says in raised.value.message
    assert "migration.yaml:" in raised.value.message


def test_a_table_not_read_yet_says_to_run_validate(tmp_path):
    config = parse_config(TEXT, environ={"SOURCE": SOURCE, "TARGET": TARGET})
    workspace = Workspace.at(tmp_path)
    with pytest.raises(ConfigError, match="has not been read from the source portal") as raised:
        workspace.source_files(config.sources["deal"])
    assert "b24migrate validate" in (raised.value.next_step or "")
    (workspace.source_portal_dir).mkdir(parents=True)
    (workspace.source_portal_dir / "deal.parquet").write_bytes(b"PAR1")
    assert workspace.source_files(config.sources["deal"]) == [
        workspace.source_portal_dir / "deal.parquet"
    ]
