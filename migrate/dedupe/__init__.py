"""Deduplication: blocking → Fellegi–Sunter scoring → guarded clusters → survivorship.

Public API: :func:`dedupe_table` (one entity's table → :class:`DedupeResult`), the rules
(:func:`default_rules`, :func:`load_rules`, :func:`parse_rules`), the client's decisions
(:class:`Decisions`, :class:`DecisionStore`), :func:`repoint_references` to make references in
other tables follow a merge, and :func:`pairwise_scores` to measure quality against truth.
"""

from migrate.dedupe.decisions import Decisions, DecisionStore
from migrate.dedupe.engine import DedupeResult, DedupeStats, dedupe_table
from migrate.dedupe.evaluate import NothingToScore, PairwiseScores, pairwise_scores
from migrate.dedupe.rules import (
    BlockingKey,
    Comparison,
    Level,
    Rules,
    Survivorship,
    default_rules,
    load_rules,
    parse_rules,
)
from migrate.dedupe.survive import repoint_references

__all__ = [
    "BlockingKey",
    "Comparison",
    "DecisionStore",
    "Decisions",
    "DedupeResult",
    "DedupeStats",
    "Level",
    "NothingToScore",
    "PairwiseScores",
    "Rules",
    "Survivorship",
    "dedupe_table",
    "default_rules",
    "load_rules",
    "pairwise_scores",
    "parse_rules",
    "repoint_references",
]
