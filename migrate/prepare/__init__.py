"""The prepare stage: read → map → clean → validate, a pure function of the sources, mappings
and `migration.yaml`.

``transform`` maps and cleans one raw table (rows routed by `rows:`, names composed by
``_compose``), ``fold`` folds rows repeated per product line into one record, ``validate`` checks
it with pandera and turns every failure into an Issue row (list values matched by name with
``listvalues``), ``refs`` resolves references between the entities' clean tables, ``routing``
reports rows no mapping takes, and ``stage`` runs them for a whole workspace (:func:`prepare` →
:class:`PreparedData`).
"""

from migrate.prepare.stage import EntityStats, PreparedData, load_mappings, prepare

__all__ = ["EntityStats", "PreparedData", "load_mappings", "prepare"]
