"""Mapping presets (YAML per source kind and entity) and the schema that loads them."""

__all__: list[str] = []
