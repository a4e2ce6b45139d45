"""The prepare stage: read → map → clean → validate, a pure function of the sources, mappings
and `migration.yaml`.

``transform`` maps and cleans one raw table, ``validate`` checks it with pandera and turns every
failure into an Issue row, ``refs`` resolves references between the entities' clean tables, and
``stage`` runs them for a whole workspace (:func:`prepare` → :class:`PreparedData`).
"""

from migrate.prepare.stage import EntityStats, PreparedData, load_mappings, prepare

__all__ = ["EntityStats", "PreparedData", "load_mappings", "prepare"]
