"""The systems and agencies a fresh axis knows: a handful of connection systems from the
national fixture registry, with secrets derived from the seed so a run can be repeated.

By default: Văn phòng Chính phủ (G22), two provinces whose samples ship with the SDK (Nghệ An
H41, Cao Bằng H14) and one ministry (Bộ Xây dựng G17), each under its harness system id
(``02.22.W00``, …) and serving its level-1 organ and that organ's departments.
"""

from __future__ import annotations

import hashlib
import hmac

from axis.config import SystemSpec
from fixtures.agencies import Agency, lookup, national_agencies

DEFAULT_LEVEL1 = ("G22", "H41", "H14", "G17")

__all__ = ["DEFAULT_LEVEL1", "default_systems", "derive_secret", "fixture_agency"]


def derive_secret(seed: int, system_id: str) -> str:
    """A deterministic secret for ``system_id`` under ``seed`` (24 hex characters)."""
    key = f"lienthong-axis-seed:{seed}".encode()
    return hmac.new(key, system_id.encode(), hashlib.sha256).hexdigest()[:24]


def default_systems(seed: int, level1: tuple[str, ...] = DEFAULT_LEVEL1) -> list[SystemSpec]:
    """One system per level-1 code, with its national agencies (the organ and, for a
    province, its departments) and a secret derived from ``seed``."""
    agencies = national_agencies()
    out = []
    for code in level1:
        head = lookup(f"000.00.00.{code}")
        if head is None:
            raise ValueError(f"level1={code!r} is not in the fixture registry")
        served = tuple(a.organ_id for a in agencies if a.system_id == head.system_id)
        out.append(
            SystemSpec(
                system_id=head.system_id,
                secret=derive_secret(seed, head.system_id),
                name=head.name,
                agencies=served,
            )
        )
    return out


def fixture_agency(code: str) -> Agency | None:
    """The fixture registry's agency for ``code`` (either form), for names and parents."""
    return lookup(code)
