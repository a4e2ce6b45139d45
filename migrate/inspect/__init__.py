"""`b24migrate inspect`: profile an unknown export (``profile``) and propose a mapping for it
(``propose``); ``inspection`` puts both together for one file."""

from migrate.inspect.inspection import Inspection, inspect_source

__all__ = ["Inspection", "inspect_source"]
