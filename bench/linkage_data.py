"""Synthetic tables in the shapes of public record-linkage benchmarks, with their truth.

    python -m bench.linkage_data restaurants --records 800 --out /tmp/rest.csv --truth /tmp/t.csv

The public sets themselves are not shipped (licences, size); these generators copy their
columns and their kind of dirt, so the rules in ``bench/linkage_rules/`` and the inferred
rules can be tested on known truth:

* ``restaurants`` (Fodors–Zagat): ``id, name, addr, city, phone, type``; the two guides
  spell names differently ("arnie morton's of chicago" / "arnie morton's"), abbreviate
  street types, write the phone ``310/246-1501`` or ``310-246-1501``, name the cuisine
  differently; hard negatives: branches of one chain in other streets.
* ``citations`` (DBLP–ACM, Cora): ``id, title, authors, venue, year``; authors as initials
  or full names, in another order, venue abbreviated, a year off by one, title typos and
  dropped words; hard negatives: papers of the same authors in the same venue.
* ``voters`` (North Carolina voter register): ``voter_reg_num`` (unique per row: no
  evidence), ``first_name, midl_name, last_name, age, gender, street_address, city,
  zip_code``; duplicates have a typo, a nickname, a missing middle name, a new address
  (people move), an age a year on; hard negatives: relatives at one address.
* ``products`` (Abt–Buy, Amazon–Google): ``id, name, description, manufacturer, price``;
  the model code is written with or without dashes, words reordered and added, price
  differs by a few per cent; hard negatives: the next model of one series.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from bench.dedupe_people import _typo

__all__ = ["GENERATORS", "generate"]

Rng = np.random.Generator
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _words(text: str) -> list[str]:
    return text.split()


_WORDS = _words(
    "golden dragon garden palace blue river house grill kitchen bistro cafe corner oak "
    "harbor sun moon star royal little big old new green red village market square "
    "station bay hill park lake rose olive pepper salt smoke fire stone iron silver"
)
_STREETS = _words("main oak maple pine cedar elm washington lake hill sunset park ocean broadway")
_STREET_TYPES = {"street": "st.", "avenue": "ave.", "boulevard": "blvd.", "road": "rd.",
                 "drive": "dr.", "place": "pl."}  # fmt: skip
_CITIES = ("los angeles", "new york", "san francisco", "atlanta", "las vegas", "chicago",
           "boston", "seattle", "new orleans", "houston")  # fmt: skip
_CUISINE = [("american", "american (new)"), ("italian", "italian"), ("french", "french (new)"),
            ("asian", "pacific rim"), ("steakhouses", "steak houses"), ("seafood", "seafood"),
            ("delis", "delicatessen"), ("mexican", "mexican/tex-mex")]  # fmt: skip
_GIVEN = _words(
    "james mary john patricia robert jennifer michael linda william elizabeth david "
    "barbara richard susan joseph jessica thomas sarah charles karen daniel nancy "
    "matthew lisa anthony betty mark margaret donald sandra steven ashley paul kimberly "
    "andrew emily joshua donna kenneth michelle kevin dorothy brian carol george amanda "
    "edward melissa ronald deborah timothy stephanie jason rebecca jeffrey sharon"
)
_NICK = {"james": "jim", "robert": "bob", "william": "bill", "michael": "mike",
         "elizabeth": "liz", "richard": "dick", "joseph": "joe", "thomas": "tom",
         "charles": "charlie", "daniel": "dan", "matthew": "matt", "anthony": "tony",
         "margaret": "peggy", "steven": "steve", "kimberly": "kim", "andrew": "andy",
         "kenneth": "ken", "edward": "ed", "ronald": "ron", "timothy": "tim",
         "jeffrey": "jeff", "rebecca": "becky", "deborah": "debbie", "patricia": "pat"}  # fmt: skip
_SURNAMES = _words(
    "smith johnson williams brown jones garcia miller davis rodriguez martinez "
    "hernandez lopez gonzalez wilson anderson thomas taylor moore jackson martin lee "
    "perez thompson white harris sanchez clark ramirez lewis robinson walker young "
    "allen king wright scott torres nguyen hill flores green adams nelson baker hall "
    "rivera campbell mitchell carter roberts gomez phillips evans turner diaz parker "
    "cruz edwards collins reyes stewart morris morales murphy cook rogers gutierrez "
    "ortiz morgan cooper peterson bailey reed kelly howard ramos kim cox ward "
    "richardson watson brooks chavez wood james bennett gray mendoza ruiz hughes"
)
_VENUES = [("very large data bases", "vldb"), ("sigmod conference", "sigmod"),
           ("acm transactions on database systems", "tods"), ("icde", "icde"),
           ("sigmod record", "sigmod rec."), ("vldb journal", "vldb j.")]  # fmt: skip
_TITLE_WORDS = _words(
    "efficient query processing optimization distributed database systems "
    "indexing xml data streams mining association rules approximate joins "
    "spatial temporal views materialized transactions concurrency control "
    "recovery caching replication semantic web integration schema matching "
    "clustering high dimensional similarity search parallel evaluation "
    "incremental maintenance adaptive sampling estimation"
)
_BRANDS = _words("sony samsung panasonic canon nikon philips lg toshiba garmin logitech")
_PRODUCTS = ("digital camera", "lcd hdtv", "dvd player", "wireless mouse", "gps navigator",
             "home theater system", "camcorder", "mp3 player", "plasma tv",
             "headphones")  # fmt: skip


def _pick(rng: Rng, items: tuple[str, ...] | list[str]) -> str:
    return str(items[int(rng.integers(0, len(items)))])


def _pick_pair(rng: Rng, items: list[tuple[str, str]]) -> tuple[str, str]:
    return items[int(rng.integers(0, len(items)))]


def _restaurant(rng: Rng) -> dict[str, str]:
    words = " ".join(_pick(rng, _WORDS) for _ in range(int(rng.integers(1, 4))))
    street_type = _pick(rng, list(_STREET_TYPES))
    return {
        "name": words + (f" of {_pick(rng, _CITIES)}" if rng.random() < 0.15 else ""),
        "addr": f"{int(rng.integers(1, 9999))} {_pick(rng, _STREETS)} {street_type}",
        "city": _pick(rng, _CITIES),
        "phone": f"{int(rng.integers(200, 999))}-{int(rng.integers(200, 999))}-"
        f"{int(rng.integers(0, 9999)):04d}",
        "type": _pick_pair(rng, _CUISINE)[0],
    }


def _restaurant_dirt(row: dict[str, str], rng: Rng) -> dict[str, str]:
    out = dict(row)
    words = out["name"].split(" of ")[0]
    out["name"] = _typo(words, rng) if rng.random() < 0.3 else words
    for long, short in _STREET_TYPES.items():
        out["addr"] = out["addr"].replace(long, short)
    if rng.random() < 0.2:
        out["addr"] = _typo(out["addr"], rng)
    out["phone"] = out["phone"].replace("-", "/", 1) if rng.random() < 0.7 else out["phone"]
    if rng.random() < 0.15:
        out["city"] = {"los angeles": "la", "new york": "new york city"}.get(
            out["city"], out["city"]
        )
    out["type"] = dict(_CUISINE).get(out["type"], out["type"])
    return out


def _restaurant_negative(row: dict[str, str], rng: Rng) -> dict[str, str]:
    other = _restaurant(rng)
    return {**other, "name": row["name"], "city": row["city"], "type": row["type"]}


def _person_name(rng: Rng) -> tuple[str, str]:
    return _pick(rng, _GIVEN), _pick(rng, _SURNAMES)


def _title_word(rng: Rng) -> str:
    """A common word of the field, or a rarer made-up term (titles are Zipf-distributed)."""
    if rng.random() < 0.6:
        return _pick(rng, _TITLE_WORDS)
    syllables = ("ra", "to", "mi", "ne", "lo", "ka", "su", "ve", "di", "an", "or", "ex", "pro")
    return "".join(_pick(rng, syllables) for _ in range(int(rng.integers(2, 5))))


def _citation(rng: Rng) -> dict[str, str]:
    authors = [_person_name(rng) for _ in range(int(rng.integers(1, 4)))]
    title = " ".join(_title_word(rng) for _ in range(int(rng.integers(4, 9))))
    return {
        "title": title,
        "authors": ", ".join(f"{g} {s}" for g, s in authors),
        "venue": _pick_pair(rng, _VENUES)[0],
        "year": str(int(rng.integers(1994, 2004))),
    }


def _citation_dirt(row: dict[str, str], rng: Rng) -> dict[str, str]:
    out = dict(row)
    words = out["title"].split()
    if rng.random() < 0.3 and len(words) > 4:
        words.pop(int(rng.integers(0, len(words))))
    out["title"] = " ".join(_typo(w, rng) if rng.random() < 0.08 else w for w in words)
    authors = [a.split() for a in out["authors"].split(", ")]
    if rng.random() < 0.5:
        authors = [[g[0] + ".", s] for g, s in authors]
    if rng.random() < 0.2:
        authors = authors[::-1]
    out["authors"] = ", ".join(" ".join(a) for a in authors) if rng.random() > 0.05 else ""
    out["venue"] = dict(_VENUES).get(out["venue"], out["venue"]) if rng.random() < 0.6 else (
        out["venue"])  # fmt: skip
    if rng.random() < 0.1:
        out["year"] = str(int(out["year"]) + 1)
    return out


def _citation_negative(row: dict[str, str], rng: Rng) -> dict[str, str]:
    other = _citation(rng)
    return {**other, "authors": row["authors"], "venue": row["venue"]}


def _voter(rng: Rng) -> dict[str, str]:
    given, surname = _person_name(rng)
    return {
        "first_name": given.upper(),
        "midl_name": _pick(rng, _GIVEN).upper() if rng.random() < 0.7 else "",
        "last_name": surname.upper(),
        "age": str(int(rng.integers(18, 95))),
        "gender": "F" if rng.random() < 0.5 else "M",
        "street_address": f"{int(rng.integers(1, 9999))} {_pick(rng, _STREETS).upper()} "
        f"{_pick(rng, list(_STREET_TYPES.values())).upper().rstrip('.')}",
        "city": _pick(rng, _CITIES).upper(),
        "zip_code": str(int(rng.integers(27000, 28999))),
    }


def _voter_dirt(row: dict[str, str], rng: Rng) -> dict[str, str]:
    out = dict(row)
    field = _pick(rng, ["first_name", "last_name", "midl_name", "first_name"])
    if out[field] and rng.random() < 0.6:
        out[field] = _typo(out[field].lower(), rng).upper()
    nick = _NICK.get(out["first_name"].lower())
    if nick and rng.random() < 0.4:
        out["first_name"] = nick.upper()
    if rng.random() < 0.3:
        out["midl_name"] = out["midl_name"][:1]
    if rng.random() < 0.3:  # moved
        moved = _voter(rng)
        for column in ("street_address", "city", "zip_code"):
            out[column] = moved[column]
    if rng.random() < 0.4:
        out["age"] = str(int(out["age"]) + 1)
    return out


def _voter_negative(row: dict[str, str], rng: Rng) -> dict[str, str]:
    other = _voter(rng)
    return {**other, "last_name": row["last_name"], "street_address": row["street_address"],
            "city": row["city"], "zip_code": row["zip_code"]}  # fmt: skip


def _product(rng: Rng) -> dict[str, str]:
    brand = _pick(rng, _BRANDS)
    code = "".join(_LETTERS[int(i)] for i in rng.integers(0, 26, 2)).upper()
    model = f"{code}-{int(rng.integers(10, 9999))}"
    kind = _pick(rng, _PRODUCTS)
    price = round(float(rng.uniform(20, 2000)), 2)
    extras = " ".join(_pick(rng, _WORDS) for _ in range(3))
    return {
        "name": f"{brand} {kind} {model}",
        "description": f"{brand} {model} {kind} with {extras} features",
        "manufacturer": brand,
        "price": f"{price:.2f}",
    }


def _product_dirt(row: dict[str, str], rng: Rng) -> dict[str, str]:
    out = dict(row)
    brand, *rest = out["name"].split()
    model = rest[-1]
    kind = " ".join(rest[:-1])
    plain = model.replace("-", "") if rng.random() < 0.5 else model
    out["name"] = f"{brand.title()} {plain} {kind.title()}" + (
        " - black" if rng.random() < 0.3 else "")  # fmt: skip
    out["description"] = out["description"] if rng.random() < 0.5 else ""
    out["manufacturer"] = "" if rng.random() < 0.5 else out["manufacturer"]
    price = float(out["price"]) * float(rng.uniform(0.93, 1.07))
    out["price"] = f"${price:,.2f}" if rng.random() < 0.8 else ""
    return out


def _product_negative(row: dict[str, str], rng: Rng) -> dict[str, str]:
    brand, *rest = row["name"].split()
    prefix, number = rest[-1].split("-")
    model = f"{prefix}-{int(number) + int(rng.integers(1, 20))}"
    kind = " ".join(rest[:-1])
    return {**row, "name": f"{brand} {kind} {model}",
            "description": f"{brand} {model} {kind} new series",
            "price": f"{float(row['price']) * 1.2:.2f}"}  # fmt: skip


Maker = Callable[[Rng], dict[str, str]]
Dirt = Callable[[dict[str, str], Rng], dict[str, str]]
GENERATORS: dict[str, tuple[str, Maker, Dirt, Dirt]] = {
    "restaurants": ("id", _restaurant, _restaurant_dirt, _restaurant_negative),
    "citations": ("id", _citation, _citation_dirt, _citation_negative),
    "voters": ("voter_reg_num", _voter, _voter_dirt, _voter_negative),
    "products": ("id", _product, _product_dirt, _product_negative),
}


def generate(shape: str, records: int, seed: int = 0) -> tuple[pd.DataFrame, dict[str, str]]:
    """``records`` rows of ``shape``: about a quarter are duplicates, a tenth hard negatives.

    Returns the table (shuffled, every value text) and its truth ``{record id: entity id}``.
    """
    key, make, dirt, negative = GENERATORS[shape]
    rng = np.random.default_rng(seed)
    rows: list[tuple[str, dict[str, str]]] = []
    entity = 0
    while len(rows) < records:
        entity += 1
        original = make(rng)
        rows.append((str(entity), original))
        if rng.random() < 0.3:
            rows.append((str(entity), dirt(original, rng)))
        if rng.random() < 0.1:
            entity += 1
            rows.append((str(entity), negative(original, rng)))
    rows = rows[:records]
    order = rng.permutation(len(rows))
    ids = [f"{shape[0]}{i + 1}" for i in range(len(rows))]
    frame = pd.DataFrame([rows[i][1] for i in order])
    frame.insert(0, key, ids)
    truth = {ids[n]: rows[i][0] for n, i in enumerate(order)}
    return frame, truth


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("shape", choices=sorted(GENERATORS))
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--truth", type=Path, required=True)
    args = parser.parse_args(argv)
    frame, truth = generate(args.shape, args.records, args.seed)
    frame.to_csv(args.out, index=False)
    pd.DataFrame({"record_id": list(truth), "entity_id": list(truth.values())}).to_csv(
        args.truth, index=False
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
