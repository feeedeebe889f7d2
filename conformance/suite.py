"""Which suite judged a run: its version and a digest of the modules that judge.

A certificate names both, beside the digest of the requirement catalogue
(:func:`spec.catalogue.catalogue_digest`): two runs with the same digests were judged by the
same checks against the same requirements, whatever the version string says.
"""

from __future__ import annotations

import functools
import hashlib
from importlib import metadata, resources

__all__ = ["JUDGING_MODULES", "checks_digest", "suite_version"]

JUDGING_MODULES = (
    "audit.py",
    "episodes.py",
    "evidence.py",
    "exploration.py",
    "judge.py",
    "observe.py",
    "profiles.py",
)
"""The modules beside the checks that decide verdicts (the checks are ``checks/*.py``)."""


def suite_version() -> str:
    """The installed lienthong version."""
    try:
        return metadata.version("lienthong")
    except metadata.PackageNotFoundError:  # pragma: no cover - an uninstalled checkout
        return "0+unknown"


@functools.cache
def checks_digest() -> str:
    """SHA-256 (hex) of the check modules (``conformance/checks/*.py``) and the judging
    modules (:data:`JUDGING_MODULES`), each name and its bytes, in a fixed order."""
    package = resources.files("conformance")
    files = [(name, package / name) for name in JUDGING_MODULES]
    checks = package / "checks"
    files += sorted((f"checks/{p.name}", p) for p in checks.iterdir() if p.name.endswith(".py"))
    digest = hashlib.sha256()
    for name, entry in files:
        data = entry.read_bytes()
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()
