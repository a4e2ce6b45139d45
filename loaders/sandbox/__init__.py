"""A local Bitrix24-compatible portal for tests, benchmarks and the demo."""

__all__: list[str] = []
