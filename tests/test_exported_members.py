"""Every public package declares `__all__`, and everything it lists exists."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

PACKAGES = ["migrate", "cleaners", "loaders", "mappings"]


def _public_modules() -> list[str]:
    names = []
    for package in PACKAGES:
        module = importlib.import_module(package)
        names.append(package)
        for info in pkgutil.walk_packages(module.__path__, prefix=f"{package}."):
            if info.ispkg and not any(part.startswith("_") for part in info.name.split(".")):
                names.append(info.name)
    return names


@pytest.mark.parametrize("name", _public_modules())
def test_package_declares_all_and_every_name_exists(name: str) -> None:
    module = importlib.import_module(name)
    assert hasattr(module, "__all__"), f"{name} has no __all__"
    missing = [member for member in module.__all__ if not hasattr(module, member)]
    assert missing == []
