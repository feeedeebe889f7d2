"""A cache bounded by the bytes of what it holds, not by a count: a cache of request headers
must not grow with what a client chooses to send. The oldest entries leave first (a hit is a
plain dictionary lookup: the caches sit on the hot path)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

__all__ = ["ByteBoundedCache"]


class ByteBoundedCache(Generic[K, V]):
    """Holds at most ``max_bytes`` of entries (each counted at the size its caller gives), the
    oldest leaving first; an entry over ``max_entry_bytes`` is never kept."""

    def __init__(self, max_bytes: int, max_entry_bytes: int) -> None:
        if not 0 < max_entry_bytes <= max_bytes:
            raise ValueError(
                f"max_entry_bytes={max_entry_bytes!r} must be in 1..max_bytes={max_bytes!r}"
            )
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_entry_bytes
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self.bytes = 0

    def __repr__(self) -> str:
        return f"ByteBoundedCache(max_bytes={self.max_bytes!r}, max_entry_bytes={self.max_entry_bytes!r})"

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: K) -> V | None:
        hit = self._entries.get(key)
        return None if hit is None else hit[0]

    def put(self, key: K, value: V, size: int) -> None:
        if size > self.max_entry_bytes or key in self._entries:
            return
        self._entries[key] = (value, size)
        self.bytes += size
        while self.bytes > self.max_bytes:
            _, (_, dropped) = self._entries.popitem(last=False)
            self.bytes -= dropped
