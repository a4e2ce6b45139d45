"""open_portal: the embedded sandbox, webhooks (good, wrong, unreachable) and OAuth tokens."""

from __future__ import annotations

import asyncio
import json
import logging
import stat

import pytest

from loaders.sandbox import OAuthConfig, SandboxConfig
from loaders.sandbox.testing import running_sandbox
from migrate.errors import ConfigError, PortalTerminalError, PortalTransientError
from migrate.portal.connect import SANDBOX_DIR, TOKENS_FILE, open_portal
from migrate.workspace.config import Workspace, parse_config


def _config(portal_yaml: str):
    return parse_config(f"name: t\nportal:\n{portal_yaml}\nsources: {{}}\n", environ={})


def _call(workspace, config, method="user.current", **options):
    async def go():
        async with open_portal(workspace, config, **options) as client:
            return (await client.call(method)).result

    return asyncio.run(go())


def test_sandbox_portal_persists_in_the_workspace_between_processes(tmp_path):
    workspace = Workspace.at(tmp_path)
    config = _config("  url: sandbox\n  plan: enterprise")

    async def add_then_count():
        async with open_portal(workspace, config) as client:
            assert client.plan.capacity == 250
            await client.call("crm.company.add", {"fields": {"TITLE": "ООО «Ромашка»"}})
        async with open_portal(workspace, config) as client:  # a second process, same data
            return (await client.call("crm.company.list", {})).total

    assert asyncio.run(add_then_count()) == 1
    assert (tmp_path / SANDBOX_DIR / "portal.sqlite").is_file()


def test_webhook_portal_is_checked_before_use(tmp_path):
    with running_sandbox(SandboxConfig(plan="unlimited")) as portal:
        good = _config(f"  url: {portal.webhook_url}\n  plan: unlimited")
        assert _call(Workspace.at(tmp_path), good)["ID"] == "1"
        wrong = _config(f"  url: {portal.webhook_url.replace('/sandbox/', '/wrong/')}")
        with pytest.raises(PortalTerminalError) as caught:
            _call(Workspace.at(tmp_path), wrong)
    assert "refused the credentials" in caught.value.message
    assert "wrong" not in caught.value.message  # the code is a secret
    assert "webhook" in (caught.value.next_step or "")


def test_unreachable_portal_is_one_line_with_a_next_step(tmp_path):
    config = _config("  url: http://127.0.0.1:9/rest/1/code/")
    with pytest.raises(PortalTransientError) as caught:
        _call(Workspace.at(tmp_path), config, max_attempts=1)
    assert "does not answer" in caught.value.message
    assert caught.value.exit_code == 4  # resumable: run the command again when it answers
    assert "code" not in caught.value.message.replace("/rest/1/***", "")


def test_malformed_webhook_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError):
        _call(Workspace.at(tmp_path), _config("  url: https://example.bitrix24.ru/no-rest/"))


def test_oauth_tokens_are_refreshed_persisted_privately_and_never_logged(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    sandbox = SandboxConfig(plan="unlimited", token="first-access", oauth=OAuthConfig())
    with running_sandbox(sandbox) as portal:
        config = _config(
            "  oauth:\n"
            f"    endpoint: {portal.base_url}/rest/\n"
            "    client_id: local.sandbox\n    client_secret: sandbox-secret\n"
            "    refresh_token: sandbox-refresh\n"
            f"    token_url: {portal.base_url}/oauth/token/"
        )
        workspace = Workspace.at(tmp_path)
        assert _call(workspace, config)["ID"] == "1"
        saved = json.loads((tmp_path / TOKENS_FILE).read_text())
        assert _call(workspace, config)["ID"] == "1"  # the saved pair is used, not the old one
    assert saved["refresh_token"] != "sandbox-refresh"
    assert stat.S_IMODE((tmp_path / TOKENS_FILE).stat().st_mode) == 0o600
    for secret in (saved["access_token"], saved["refresh_token"], "sandbox-secret"):
        assert secret not in caplog.text
