"""Synthetic, realistic CRM exports with planted dirt and duplicates (no real personal data)."""

__all__: list[str] = []
