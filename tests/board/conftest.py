"""Fixtures of the board's tests (tests/board/helpers.py)."""

from tests.board.helpers import registry, signer

__all__ = ["registry", "signer"]
