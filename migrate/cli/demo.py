"""`b24migrate demo`: an interim demo — a scripted import into a local sandbox portal over HTTP.

It starts the sandbox portal on a free 127.0.0.1 port with its data in a directory, imports
synthetic Russian companies and contacts in `batch` calls of 50 `crm.*.add` commands (plain
httpx, no client library yet), lists them back page by page and prints the counts and the
portal's own statistics. The full pipeline demo (read → clean → dedupe → plan → load) replaces
it once those stages exist.
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path
from typing import Any

import click
import httpx

from loaders.sandbox import SandboxConfig
from loaders.sandbox.testing import running_sandbox

__all__ = ["command", "run_demo"]

_COMPANY_WORDS = ["Ромашка", "Вектор", "Север", "Гранит", "Альфа", "Меридиан", "Сибирь", "Нева"]
_FORMS = ["ООО", "АО", "ИП"]
_NAMES = ["Иван", "Мария", "Алексей", "Ольга", "Дмитрий", "Елена", "Сергей", "Анна"]
_SURNAMES = ["Иванов", "Петров", "Сидоров", "Кузнецов", "Смирнов", "Попов", "Волков", "Зайцев"]


def _company(i: int, rng: random.Random) -> dict[str, Any]:
    return {"TITLE": f"{rng.choice(_FORMS)} «{rng.choice(_COMPANY_WORDS)}-{i}»",
            "PHONE": [{"VALUE": f"+7495{rng.randrange(10**7):07d}", "VALUE_TYPE": "WORK"}],
            "ORIGINATOR_ID": "demo", "ORIGIN_ID": f"co-{i}"}  # fmt: skip


def _contact(i: int, rng: random.Random, company_id: int) -> dict[str, Any]:
    surname = rng.choice(_SURNAMES)
    return {"NAME": rng.choice(_NAMES), "LAST_NAME": surname, "COMPANY_ID": company_id,
            "PHONE": [{"VALUE": f"+7916{rng.randrange(10**7):07d}", "VALUE_TYPE": "MOBILE"}],
            "EMAIL": [{"VALUE": f"client{i}@example.ru", "VALUE_TYPE": "WORK"}],
            "ORIGINATOR_ID": "demo", "ORIGIN_ID": f"ct-{i}"}  # fmt: skip


def _add_all(client: httpx.Client, entity: str, rows: list[dict[str, Any]]) -> list[int]:
    ids: list[int] = []
    for offset in range(0, len(rows), 50):
        chunk = rows[offset : offset + 50]
        cmd = {f"r{offset + j}": f"crm.{entity}.add?{_encode(row)}" for j, row in enumerate(chunk)}
        body = client.post("batch", json={"halt": 0, "cmd": cmd}).raise_for_status().json()
        if body["result"]["result_error"]:
            raise click.ClickException(f"batch of {entity}: {body['result']['result_error']}")
        ids += list(body["result"]["result"].values())
    return ids


def _encode(fields: dict[str, Any]) -> str:
    pairs: list[tuple[str, str | int | float | bool | None]] = []
    for key, value in fields.items():
        if isinstance(value, list):
            for n, item in enumerate(value):
                pairs += [(f"fields[{key}][{n}][{k}]", str(v)) for k, v in item.items()]
        else:
            pairs.append((f"fields[{key}]", str(value)))
    return str(httpx.QueryParams(pairs))


def _count(client: httpx.Client, entity: str) -> int:
    seen, last = 0, 0
    while True:  # fast pagination: ID order, >ID, start=-1
        params = {"order": {"ID": "ASC"}, "filter": {">ID": last, "ORIGINATOR_ID": "demo"},
                  "select": ["ID"], "start": -1}  # fmt: skip
        page = client.post(f"crm.{entity}.list", json=params).raise_for_status().json()["result"]
        seen += len(page)
        if len(page) < 50:
            return seen
        last = int(page[-1]["ID"])


def run_demo(data_dir: Path, companies: int, contacts: int, seed: int = 7) -> dict[str, Any]:
    """Serve a sandbox on ``data_dir``, import, list back; returns counts and the portal stats."""
    rng = random.Random(seed)
    with running_sandbox(SandboxConfig(data_dir=data_dir, plan="standard", token="demo")) as portal:
        with httpx.Client(base_url=portal.webhook_url, timeout=30) as client:
            company_ids = _add_all(client, "company", [_company(i, rng) for i in range(companies)])
            people = [_contact(i, rng, rng.choice(company_ids)) for i in range(contacts)]
            _add_all(client, "contact", people)
            listed = {e: _count(client, e) for e in ("company", "contact")}
        return {"webhook_url": portal.webhook_url, "listed": listed, "stats": portal.stats()}


@click.command("demo")
@click.option(
    "--data",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the sandbox portal keeps its data (default: a new temp directory).",
)
@click.option("--companies", default=200, show_default=True, help="Synthetic companies to import.")
@click.option(
    "--contacts", default=200, show_default=True, help="Synthetic contacts, each with a company."
)
def command(data: Path | None, companies: int, contacts: int) -> None:
    """Import synthetic companies and contacts into a local sandbox portal over HTTP.

    \b
    Example:
      b24migrate demo --companies 200 --contacts 200
    """  # fmt: skip
    data_dir = data or Path(tempfile.mkdtemp(prefix="b24migrate-demo-"))
    click.echo(f"Sandbox portal data: {data_dir}")
    outcome = run_demo(data_dir, companies, contacts)
    stats = outcome["stats"]
    click.echo(f"Webhook (now stopped): {outcome['webhook_url']}")
    click.echo(f"Listed back: {outcome['listed']['company']} companies, "
               f"{outcome['listed']['contact']} contacts")  # fmt: skip
    entities = stats["entities"]
    click.echo(f"Portal: {stats['requests']} HTTP requests, {stats['commands']} commands, "
               f"{entities['company']} companies and {entities['contact']} contacts stored, "
               f"refusals {stats['refusals']}")  # fmt: skip
    click.echo(f"Restart it with: b24migrate sandbox serve --data {data_dir} --token demo")
