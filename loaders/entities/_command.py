"""What every builder takes and gives, and the small field helpers they share."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

__all__ = [
    "ENTITY_TYPE_HINT",
    "MULTI_FIELDS",
    "Command",
    "MultiValue",
    "UnexpectedResult",
    "WriteOp",
    "WriteRequest",
    "appended_values",
    "entity_type_of",
    "item_xml_id",
    "legacy_multi",
    "sendable",
]

WriteOp = Literal["create", "update", "set"]

MULTI_FIELDS = ("PHONE", "EMAIL", "WEB", "IM", "LINK")


class MultiValue(NamedTuple):
    """One value of a multi-field (``PHONE``, ``EMAIL``, ``WEB``, ``IM``) and its value type.

    The one shape such a value has from the mapping to the wire: the prepare stage's clean
    tables hold tuples of them, the ledger keeps each as a ``[value, value_type]`` JSON pair
    (read back with :meth:`of`), and the builders write them as legacy entries
    (:meth:`to_legacy`) or ``crm.item`` items.

    Example:
        >>> MultiValue("+79161234567", "MOBILE").to_legacy()
        {'VALUE': '+79161234567', 'VALUE_TYPE': 'MOBILE'}
    """

    value: str
    value_type: str

    @classmethod
    def of(cls, item: Any) -> MultiValue:
        """``item`` as a MultiValue: one already, or its ``[value, value_type]`` JSON pair."""
        if isinstance(item, MultiValue):
            return item
        if isinstance(item, list | tuple) and len(item) == 2:
            return cls(str(item[0]), str(item[1]))
        raise UnexpectedResult(f"a multi-field value is (value, value type), not {item!r}")

    @classmethod
    def all_of(cls, items: Iterable[Any] | None) -> tuple[MultiValue, ...]:
        """Every item of a multi-field's value as a MultiValue (``()`` for none)."""
        return tuple(cls.of(item) for item in items or ())

    def to_legacy(self) -> dict[str, Any]:
        """The legacy entry ``{"VALUE": …, "VALUE_TYPE": …}`` (a new entry: no ``ID``)."""
        return {"VALUE": self.value, "VALUE_TYPE": self.value_type}


@dataclass(frozen=True, slots=True)
class Command:
    """One REST call: a method and its parameters (a `batch` command or a single call)."""

    method: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class WriteRequest:
    """A record to write, as the load engine hands it to a builder.

    Attributes:
        entity: ``company``, ``contact``, ``deal``, ``lead``, ``product``,
            ``product_section``, ``requisite``, ``comment``, ``activity``,
            ``deal_products``, ``deal_contacts`` or ``contact_companies``.
        op: ``create`` (new portal record), ``update`` (``b24_id`` known) or ``set``
            (replace a relation of the owner named by ``fields["OWNER_ID"]``).
        source_key: the key in the source system; ``ORIGIN_ID`` / ``XML_ID`` of a create.
        fields: Bitrix24 legacy (UPPER_CASE) fields with references already resolved to
            portal ids. Keys starting with ``_`` are hints for the builder (``_DATE``,
            ``_AUTHOR``) and are never sent.
        b24_id: the portal id of the record an ``update`` changes.
    """

    entity: str
    op: WriteOp
    source_key: str
    fields: Mapping[str, Any]
    b24_id: int | None = None


class UnexpectedResult(ValueError):
    """A command's result does not have the shape its method documents."""


def sendable(fields: Mapping[str, Any], drop: Sequence[str] = ()) -> dict[str, Any]:
    """The fields without builder hints (``_*``) and without ``drop``; multi-fields made legacy."""
    result: dict[str, Any] = {}
    for name, value in fields.items():
        if name.startswith("_") or name in drop:
            continue
        result[name] = legacy_multi(value) if name in MULTI_FIELDS else value
    return result


def legacy_multi(value: Any) -> list[dict[str, Any]]:
    """A multi-field as legacy entries ``[{"VALUE": …, "VALUE_TYPE": …}]``.

    Each item is a :class:`MultiValue` (or its JSON pair, from the ledger), except an entry of
    the portal's own, a dict carrying the entry's ``ID``: an update that changes or deletes
    that entry sends it as it is.
    """
    if not value:
        return []
    return [
        dict(item)
        if isinstance(item, Mapping) and "ID" in item
        else MultiValue.of(item).to_legacy()
        for item in value
    ]


def appended_values(fields: Mapping[str, Any]) -> dict[str, list[str]]:
    """The multi-field values an update would ADD (entries without an ``ID``), per field.

    The portal appends such entries on every update, so an update that carries them is not
    idempotent: sending it twice doubles the phones. Entries with an ``ID`` change or delete
    that entry and are safe to repeat.
    """
    added: dict[str, list[str]] = {}
    for name in MULTI_FIELDS:
        values = [
            str(entry["VALUE"])
            for entry in legacy_multi(fields.get(name))
            if "ID" not in entry and entry.get("VALUE")
        ]
        if values:
            added[name] = values
    return added


ENTITY_TYPE_HINT = "_ENTITY_TYPE_ID"
"""The hint holding a smart process's ``entityTypeId`` (the plan finds it by the type's title)."""


def entity_type_of(fields: Mapping[str, Any]) -> int:
    """The ``entityTypeId`` a smart-process record goes to (``ValueError`` without one)."""
    value = fields.get(ENTITY_TYPE_HINT)
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise ValueError(f"a smart-process record needs its entityTypeId, not {value!r}")
    return int(value)


def item_xml_id(originator: str, source_key: str) -> str:
    """A smart-process item's ``xmlId``: the source key scoped by the migration, so that two
    migrations into one portal never claim each other's items (the item has no
    ``ORIGINATOR_ID``)."""
    return f"{originator}/{source_key}"
