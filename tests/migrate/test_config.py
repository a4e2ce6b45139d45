"""migration.yaml → frozen dataclasses; every problem with its line; secrets never shown."""

from __future__ import annotations

import pytest

from migrate.errors import ConfigError
from migrate.workspace.config import Secret, Workspace, load_config, parse_config, redact_url

GOOD = """\
name: acme-2026
language: en
timezone: Asia/Yekaterinburg
portal:
  url: env:B24_TEST_HOOK
sources:
  contact: {files: [exports/contacts*.csv], encoding: cp1251, header_row: 2}
  company: exports/companies.xlsx
mappings: maps
dedupe: {contact: {threshold: 0.9}}
owners:
  map: {Иванов Иван: 7, anna@old.ru: anna@new.ru}
  default_owner: 1
load: {route: import, on_existing: skip, batch_size: 20}
"""
HOOK = "https://acme.bitrix24.ru/rest/1/s3cr3tc0de/"


def test_a_full_config_loads():
    config = parse_config(GOOD, "migration.yaml", {"B24_TEST_HOOK": HOOK})
    assert config.name == "acme-2026"
    assert config.language == "en"
    assert config.portal.kind == "webhook"
    assert config.portal.webhook.reveal() == HOOK
    assert config.sources["contact"].files == ("exports/contacts*.csv",)
    assert config.sources["contact"].encoding == "cp1251"
    assert config.sources["contact"].header_row == 2
    assert config.sources["company"].files == ("exports/companies.xlsx",)
    assert config.mappings == "maps"
    assert config.dedupe["contact"] == {"threshold": 0.9}
    assert config.owners.map["Иванов Иван"] == "7"
    assert config.owners.default_owner == "1"
    assert (config.load.route, config.load.on_existing, config.load.batch_size) == (
        "import",
        "skip",
        20,
    )


def test_defaults_are_the_sandbox_and_russian():
    config = parse_config("name: demo\n")
    assert config.portal.kind == "sandbox"
    assert config.language == "ru"
    assert config.load.route == "auto"  # the plan asks `user.admin` (issue 12)


def test_the_webhook_never_shows_in_repr_or_display():
    config = parse_config(f"name: x\nportal: {{url: '{HOOK}'}}\n")
    for text in (repr(config), str(config.portal), config.portal.display):
        assert "s3cr3tc0de" not in text
    assert config.portal.display == "webhook https://acme.bitrix24.ru/rest/1/***/"
    assert repr(Secret("abc")) == "Secret('***')"
    # everything after the user id could be the code: a method name is masked too
    assert redact_url(HOOK + "crm.contact.add?x=1") == "https://acme.bitrix24.ru/rest/1/***"


def test_oauth_block_reads_secrets_from_the_environment():
    text = """name: x
portal:
  oauth: {endpoint: 'https://a.bitrix24.ru/rest/', client_id: app.1,
          client_secret: 'env:SECRET', refresh_token: 'env:REFRESH'}
"""
    config = parse_config(text, environ={"SECRET": "cs-9f2", "REFRESH": "rt-7e1"})
    assert config.portal.kind == "oauth"
    assert config.portal.oauth.client_secret.reveal() == "cs-9f2"
    assert "rt-7e1" not in repr(config)
    assert "cs-9f2" not in repr(config)


def test_every_problem_is_listed_with_its_line():
    text = """\
name: "bad name!"
langauge: ru
language: de
timezone: Mars/Olympus
portal: {url: env:NOT_SET_ANYWHERE}
sources:
  contact: {files: [a.csv], header_row: 0, shet: 1}
load: {route: fast, batch_size: 500}
"""
    with pytest.raises(ConfigError) as info:
        parse_config(text, "migration.yaml", environ={})
    message = info.value.message
    for expected in (
        "migration.yaml:1: `name`",
        "migration.yaml:2: unknown key `langauge` (did you mean `language`?)",
        "migration.yaml:3: `language` must be one of ru, en",
        "migration.yaml:4: unknown time zone `Mars/Olympus`",
        "migration.yaml:5: environment variable `NOT_SET_ANYWHERE` is not set",
        "migration.yaml:7: `header_row` is a row number from 1",
        "migration.yaml:7: unknown key `shet` (did you mean `sheet`?)",
        "migration.yaml:8: `batch_size` is 1..50",
        "migration.yaml:8: `route` must be one of auto, add, import",
    ):
        assert expected in message
    assert "b24migrate init" in info.value.next_step


def test_missing_file_and_broken_yaml_say_what_to_do(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "migration.yaml")
    assert "b24migrate init" in info.value.next_step
    with pytest.raises(ConfigError):
        parse_config("name: [x\n")


def test_workspace_paths_and_source_globs(tmp_path):
    (tmp_path / "exports").mkdir()
    for name in ("contacts_2.csv", "contacts_1.csv"):
        (tmp_path / "exports" / name).write_text("ID\n1\n")
    (tmp_path / "migration.yaml").write_text(GOOD.replace("env:B24_TEST_HOOK", "sandbox"))
    ws = Workspace.at(tmp_path)
    config = ws.load_config()
    assert ws.ledger_path == tmp_path / ".b24migrate" / "ledger.sqlite"
    assert ws.reports_dir == tmp_path / "reports"
    assert ws.mappings_dir(config) == tmp_path / "maps"
    files = ws.source_files(config.sources["contact"])
    assert [f.name for f in files] == ["contacts_1.csv", "contacts_2.csv"]
    with pytest.raises(ConfigError, match=r"companies\.xlsx"):
        ws.source_files(config.sources["company"])


def test_structure_is_asked_for_unless_the_workspace_accepts_it():
    assert parse_config("name: demo\n").load.structure == "ask"
    accepted = parse_config("name: demo\nload: {structure: create}\n")
    assert accepted.load.structure == "create"
    with pytest.raises(ConfigError) as info:
        parse_config("name: demo\nload: {structure: always}\n", "migration.yaml")
    assert "migration.yaml:2: `structure` must be one of ask, create" in info.value.message


@pytest.mark.parametrize(("value", "expected"), [("", 1536.0), ("max_file_mb: 25", 25.0),
                                                 ("max_file_mb: 0.5", 0.5)])  # fmt: skip
def test_the_largest_attachment_defaults_to_what_one_cloud_request_carries(value, expected):
    text = f"name: acme\nload: {{{value}}}\n"
    assert parse_config(text, "migration.yaml", environ={}).load.max_file_mb == expected


@pytest.mark.parametrize("value", ["0", "-3", "big", "true"])
def test_a_bad_attachment_limit_is_named_with_its_line(value):
    with pytest.raises(ConfigError) as info:
        parse_config(f"name: acme\nload: {{max_file_mb: {value}}}\n", "migration.yaml",
                     environ={})  # fmt: skip
    assert "migration.yaml:2: `max_file_mb` is a size in MB above 0" in info.value.message
