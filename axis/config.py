"""Settings of one fake axis: where it listens, where it keeps its data, how strict it is, and
which connection systems it knows at start.

Built once at the edge (CLI flags, a test fixture) and passed to everything else; nothing in the
axis reads environment variables or globals.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from axis.errors import ConfigError
from axis.peer_settings import PeerSettings
from spec.organ_ids import organ_id_problem

DEFAULT_MAX_BODY = 50 * 1024 * 1024
DEFAULT_MAX_HEADERS = 64 * 1024
DEFAULT_LIST_LIMIT = 500
DEFAULT_HEADER_TIMEOUT_S = 10.0
DEFAULT_BODY_TIMEOUT_S = 30.0
MAX_RUN_ID = 100


@dataclass(frozen=True, slots=True)
class SystemSpec:
    """A connection system (trung tâm liên thông): its ``systemId``, its secret, a display
    name, and the agency codes it serves at start."""

    system_id: str
    secret: str = field(repr=False)
    name: str = ""
    agencies: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.system_id or self.system_id != self.system_id.strip():
            raise ConfigError(f"system_id={self.system_id!r} must be non-empty, without spaces")
        if not self.secret:
            raise ConfigError(f"secret of system {self.system_id!r} must be non-empty")

    @classmethod
    def parse(cls, text: str) -> SystemSpec:
        """``ID:SECRET`` or ``ID:SECRET:CODE[,CODE…]`` as given to ``--system``: the system id,
        its secret (which may itself contain ``:``) and the agencies it serves. The part after
        the last ``:`` is read as agency codes only when every comma-separated item is an
        organ id; otherwise it belongs to the secret."""
        system_id, sep, rest = text.strip().partition(":")
        if not sep or not system_id or not rest:
            raise ConfigError(
                f"system={text!r} must be ID:SECRET or ID:SECRET:CODE[,CODE…], "
                "e.g. vxp.test.01:s3cr3t:000.00.00.H44"
            )
        secret, sep, tail = rest.rpartition(":")
        codes = tuple(c.strip() for c in tail.split(",")) if sep and secret else ()
        if codes and all(organ_id_problem(c) is None for c in codes):
            return cls(system_id=system_id, secret=secret, agencies=codes)
        return cls(system_id=system_id, secret=rest)


@dataclass(frozen=True, slots=True)
class AxisConfig:
    """Everything one axis needs. ``data_dir=None`` keeps the database in a private temporary
    folder removed when the axis stops (tests); ``port=0`` picks a free port.

    ``seed`` drives the default systems' secrets, the DocIds and the faults when given; without
    it the default systems get random secrets at every start (nobody can compute them).
    ``run_id`` salts the DocIds: they derive from the seed, the run id and a counter, so two
    runs with the same seed never issue the same DocId, and the same seed and run id give the
    same ones; ``None`` draws a random run id at start (recorded in the ``start`` event).
    ``seed_defaults`` adds the default systems and agencies of :mod:`axis.seed` at start;
    ``peers`` plays them as simulated peer agencies (:mod:`axis.peers`).
    ``max_header_bytes`` bounds a request's headers (431 beyond); ``header_timeout_s`` and
    ``body_timeout_s`` bound how long a client may take to send them.
    """

    host: str = "127.0.0.1"
    port: int = 0
    data_dir: Path | None = None
    strict: bool = False
    tolerate_8bit_headers: bool = False
    max_body_bytes: int = DEFAULT_MAX_BODY
    max_header_bytes: int = DEFAULT_MAX_HEADERS
    header_timeout_s: float = DEFAULT_HEADER_TIMEOUT_S
    body_timeout_s: float = DEFAULT_BODY_TIMEOUT_S
    list_limit: int = DEFAULT_LIST_LIMIT
    fault_file: Path | None = None
    seed: int | None = None
    systems: tuple[SystemSpec, ...] = ()
    seed_defaults: bool = True
    peers: PeerSettings | None = None
    admin_token: str | None = field(default=None, repr=False)
    run_id: str | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            raise ConfigError(f"port={self.port!r} must be in 0..65535 (0 picks a free port)")
        if self.max_body_bytes < 1024:
            raise ConfigError(f"max_body_bytes={self.max_body_bytes!r} must be at least 1024")
        if self.max_header_bytes < 4096:
            raise ConfigError(f"max_header_bytes={self.max_header_bytes!r} must be at least 4096")
        for name in ("header_timeout_s", "body_timeout_s"):
            value = getattr(self, name)
            if not value > 0:
                raise ConfigError(f"{name}={value!r} must be > 0 seconds")
        if self.list_limit < 1:
            raise ConfigError(f"list_limit={self.list_limit!r} must be at least 1")
        if self.run_id is not None and not (
            0 < len(self.run_id) <= MAX_RUN_ID and self.run_id.isprintable()
        ):
            raise ConfigError(
                f"run_id={self.run_id!r} must be 1 to {MAX_RUN_ID} printable characters"
            )
        ids = [s.system_id for s in self.systems]
        duplicated = sorted({i for i in ids if ids.count(i) > 1})
        if duplicated:
            raise ConfigError(f"systems lists {duplicated!r} more than once")

    def replace(self, **changes: object) -> AxisConfig:
        """A copy with ``changes`` applied (validated again)."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]
