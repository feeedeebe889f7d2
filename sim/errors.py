"""The exceptions of the rollout simulator: one base class, a subclass per failure kind."""

from __future__ import annotations


class SimError(Exception):
    """Base class of every error raised by :mod:`sim`."""


class ScenarioError(SimError, ValueError):
    """A scenario file or override that is unreadable, unknown or fails the schema."""


class TopologyError(SimError, ValueError):
    """A topology whose arrays do not describe a tree of agencies under connection systems."""


class ModelError(SimError, RuntimeError):
    """The model reached a state its rules forbid (a bug, never bad input)."""


class BackendError(SimError, RuntimeError):
    """A replication backend (joblib processes, a Dask cluster) could not run the work."""
