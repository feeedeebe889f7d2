"""The exceptions of the load-test package: one base class, a subclass per failure kind."""

from __future__ import annotations


class LoadError(Exception):
    """Base class of every error raised by :mod:`load`."""


class ProfileError(LoadError, ValueError):
    """A traffic profile that cannot be read or makes no sense (negative rates, no systems)."""


class PlanError(LoadError, ValueError):
    """Settings of a load run that cannot be turned into a plan (too few users, a system the
    fixtures do not know, a non-loopback axis)."""


class RunFailed(LoadError, RuntimeError):
    """The load run itself broke: locust did not start, crashed or overran its time bound."""
