"""Entity names as every report shows them, per report language (from the entity registry)."""

from __future__ import annotations

from mappings.entities import REGISTRY, entity_label

__all__ = ["ENTITY_LABELS", "entity_label"]

ENTITY_LABELS = {
    language: {name: e.label(language) for name, e in REGISTRY.items()} for language in ("ru", "en")
}
"""``{language: {entity: label}}`` for lookups that fall back to the code itself."""
