"""The web board: per phase, every member's readiness with its software, certificate, expiry
and blockers, filters and search, a tile map of the provinces, the phase simulation and the
go-live forecast; an agency page with its certification history; a product page; the audit
log. Read-only without the admin token. ``board_app`` is the live server's ASGI app;
``board.export`` writes the same pages as static files."""

from board.web.app import BoardApp, board_app

__all__ = ["BoardApp", "board_app"]
