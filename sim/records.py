"""The rows the engine moves around: deliveries on their way or in handling, and statuses.

Both are numpy structured dtypes, so a batch of thousands travels as one array and every
step is a handful of vectorised operations.
"""

from __future__ import annotations

import functools

import numpy as np

DELIVERY = np.dtype(
    [
        ("doc", "i8"),
        ("key", "u8"),  # names the delivery for its random numbers (sim.randoms)
        ("doc_key", "u8"),  # names its document (the axis job of an axis delivery)
        ("sender", "i4"),
        ("recipient", "i4"),
        ("t_send", "f8"),
        ("t_axis", "f8"),  # the document's arrival at the axis (axis deliveries)
        ("t_arrive", "f8"),  # when it reaches the recipient (download, platform or post)
        ("t_next", "f8"),  # when the next desk may take it up (its place in that desk's queue)
        ("due", "f8"),
        ("paper_at", "f8"),  # when the paper copy arrives (inf: none travels)
        ("t13", "f8"),  # when the sender asks to take it back (inf: never)
        ("channel", "i1"),
        ("steering", "i1"),
        ("pages", "i2"),
        ("trace", "?"),
    ]
)
"""One (document, recipient) pair."""

STATUS = np.dtype(
    [
        ("t", "f8"),  # arrival at the axis (or the platform) after upload latency
        ("emitted", "f8"),  # the status's own timestamp
        ("doc", "i8"),
        ("key", "u8"),  # the delivery's key
        ("sender", "i4"),
        ("recipient", "i4"),
        ("t_send", "f8"),
        ("code", "i1"),
        ("channel", "i1"),
        ("tb", "?"),  # the delivery has a take-back request: check for withdrawal
        ("trace", "?"),
    ]
)
"""One status message about one delivery (the document's sender to or from its recipient)."""


def pick(rows: np.ndarray, which: np.ndarray) -> np.ndarray:
    """``rows[which]`` (a mask or indices), through a raw view: numpy copies structured rows
    field by field, ten times slower than copying them as opaque records."""
    return rows.view(_raw(rows.dtype))[which].view(rows.dtype)


def stack(chunks: list[np.ndarray]) -> np.ndarray:
    """The rows of ``chunks`` (all of one dtype) in one array, copied as opaque records."""
    if len(chunks) == 1:
        return chunks[0]
    dtype = chunks[0].dtype
    raw = _raw(dtype)
    return np.concatenate([c.view(raw) for c in chunks]).view(dtype)


@functools.cache
def _raw(dtype: np.dtype) -> np.dtype:
    return np.dtype((np.void, dtype.itemsize))
