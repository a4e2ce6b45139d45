"""`b24migrate sandbox`: run the local Bitrix24-compatible portal, or preload it with records."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import click

from loaders.sandbox import (
    OAuthConfig,
    SandboxConfig,
    parse_faults,
    parse_item_costs,
    parse_operating_limit,
)
from loaders.sandbox.fixtures import (
    FixtureError,
    add_smart_processes,
    load_fixture,
    parse_required,
    require_fields,
)
from loaders.sandbox.server import TlsFiles, serve, webhook_url
from migrate.errors import ConfigError

__all__ = ["command", "exposure_warning"]


@click.group("sandbox")
def command() -> None:
    """A local Bitrix24-compatible portal for rehearsals, tests and benchmarks.

    \b
    Example:
      b24migrate sandbox serve --data ./portal --token secret --plan standard
    """


def _config(o: dict[str, Any]) -> SandboxConfig:
    """The portal settings from the `serve` options (a bad value is a usage error)."""
    try:
        default_cost, per_method = parse_item_costs(o["item_cost_ms"])
        limit, window = parse_operating_limit(o["operating_limit"])
        oauth = OAuthConfig(access_ttl_s=o["token_ttl"]) if o["oauth"] else None
        return SandboxConfig(
            data_dir=o["data"],
            token=o["token"],
            user_id=o["user"],
            plan=o["plan"],
            latency_ms=o["latency_ms"],
            item_latency_ms=o["item_latency_ms"],
            item_cost_ms=default_cost,
            item_cost_by_method=per_method,
            operating_limit_s=limit,
            operating_window_s=window,
            faults=parse_faults(o["faults"], timeout_delay_s=o["timeout_s"]),
            seed=o["seed"],
            oauth=oauth,
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


@command.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=8024, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--data",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory of portal.sqlite (state survives restarts); default: in memory.",
)
@click.option("--token", default="sandbox", show_default=True, help="Inbound-webhook code.")
@click.option(
    "--user",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="The employee who owns the webhook: 1 is the portal's administrator; any other "
    "(e.g. 2) is a manager, for whom user.admin answers false (the `add` route).",
)
@click.option(
    "--plan",
    type=click.Choice(["standard", "enterprise", "unlimited"]),
    default="standard",
    show_default=True,
    help="Leaky bucket 50/2, 250/5 or none.",
)
@click.option("--latency-ms", default=0.0, show_default=True, help="Real delay per request.")
@click.option("--item-latency-ms", default=0.0, show_default=True, help="Real delay per item.")
@click.option(
    "--item-cost-ms",
    multiple=True,
    metavar="[METHOD=]MS",
    help="Operating time accounted per item (default 5), e.g. crm.item.batchImport=50.",
)
@click.option(
    "--operating-limit",
    default="480/600",
    show_default=True,
    help="Per-method operating budget: seconds/window seconds.",
)
@click.option(
    "--faults",
    default="",
    metavar="KIND=VALUE,...",
    help="Faults to inject: a share of requests for 503, 500, drop, timeout, expire, or "
    "crash_after=N requests, e.g. 503=0.05,drop=0.02,crash_after=500.",
)
@click.option(
    "--timeout-s",
    default=65.0,
    show_default=True,
    help="How long a `timeout` fault holds the reply.",
)
@click.option("--seed", default=0, show_default=True, help="Seed of the fault sequence.")
@click.option("--oauth", is_flag=True, help="OAuth mode: /rest/METHOD?auth=TOKEN, /oauth/token/.")
@click.option("--token-ttl", default=3600.0, show_default=True, help="OAuth access token life, s.")
@click.option("--tls-cert", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="PEM certificate: serve https (SDKs that refuse http need it).")  # fmt: skip
@click.option("--tls-key", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="PEM private key of --tls-cert.")  # fmt: skip
def serve_command(host: str, port: int, **options: Any) -> None:
    """Serve the sandbox portal and print its webhook URL.

    \b
    Example:
      b24migrate sandbox serve --port 8024 --data ./portal --token secret --faults 503=0.05
    """  # fmt: skip
    cert, key = options.pop("tls_cert"), options.pop("tls_key")
    if (cert is None) != (key is None):
        raise click.UsageError("--tls-cert and --tls-key go together.")
    tls = TlsFiles(cert, key) if cert and key else None
    config = _config(options)
    scheme = "https" if tls else "http"
    warning = exposure_warning(host, config)
    if warning:
        click.echo(f"Warning: {warning}", err=True)
    click.echo(f"Sandbox portal: {webhook_url(host, port, config, tls=tls is not None)}")
    click.echo(
        f"Data: {config.data_dir or 'in memory'}; stats: {scheme}://{host}:{port}/sandbox/stats"
    )
    if config.oauth:
        click.echo(f"OAuth: access token {config.token}, refresh token "
                   f"{config.oauth.refresh_token}, client {config.oauth.client_id}")  # fmt: skip
    try:
        serve(config, host, port, tls)
    except OSError as exc:  # the socket could not be bound: the port is taken or not allowed
        if exc.errno not in (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL):
            raise
        raise ConfigError(
            f"the sandbox cannot listen on {host}:{port} ({exc.strerror or exc})",
            next_step="choose another `--port` (or stop the program that uses this one)",
        ) from None


_LOOPBACK = ("127.0.0.1", "localhost", "::1")
_GUESSABLE = 16  # a code shorter than this (or a default) can be guessed


def exposure_warning(host: str, config: SandboxConfig) -> str | None:
    """Why serving on ``host`` with ``config``'s credentials is dangerous, if it is."""
    if host in _LOOPBACK or host.startswith("127."):
        return None
    codes = [config.token] + ([config.oauth.refresh_token] if config.oauth else [])
    weak = [c for c in codes if len(c) < _GUESSABLE or c in ("sandbox", "sandbox-refresh")]
    if not weak:
        return None
    return (
        f"the sandbox listens on {host}, reachable from other machines, with a guessable code "
        f"(`{weak[0]}`): anyone on the network can read and change its data. Pass `--token` "
        "with a long random code (`python -c 'import secrets; print(secrets.token_hex(16))'`), "
        "or `--host 127.0.0.1`"
    )


@command.command("seed")
@click.option(
    "--data",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Directory of the portal to fill.",
)
@click.option(
    "--fixture",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="YAML/JSON: companies/contacts/deals/leads → lists of fields; userfields; required.",
)
@click.option(
    "--require",
    multiple=True,
    metavar="ENTITY.FIELD",
    help="Make a field required, as the portal's admin can (repeat), e.g. contact.PHONE.",
)
@click.option(
    "--smart-process",
    "smart",
    multiple=True,
    metavar="TITLE",
    help="Create a smart process with its pipeline and stages, linked to deals (repeat).",
)
def seed_command(
    data: Path, fixture: Path | None, require: tuple[str, ...], smart: tuple[str, ...]
) -> None:
    """Preload existing CRM records into a sandbox portal, set its required fields, or give
    it smart processes.

    \b
    Example:
      b24migrate sandbox seed --data ./portal --fixture existing.yaml
      b24migrate sandbox seed --data ./portal --require contact.PHONE --require deal.UF_CRM_KIND
      b24migrate sandbox seed --data ./portal --smart-process Договоры
    """
    if fixture is None and not require and not smart:
        raise click.UsageError("give --fixture, --require, --smart-process or several.")
    config = SandboxConfig(data_dir=data)
    try:
        types = add_smart_processes(config, smart) if smart else {}
        if require:
            require_fields(config, parse_required(require))
        counts = load_fixture(config, fixture) if fixture is not None else {}
    except FixtureError as exc:
        raise click.ClickException(str(exc)) from None
    summary = ", ".join(f"{n} {entity}" for entity, n in counts.items()) or "no records"
    required = f"; required: {', '.join(require)}" if require else ""
    spas = "".join(f"; smart process «{t}»: entityTypeId {i}" for t, i in types.items())
    click.echo(f"Created {summary} in {data}{required}{spas}")
