"""The fake axis's web dashboard, for the people who run certification: connection systems and
agencies, messages in flight and delivered, each document's timeline of transport acks and
business statuses (01–16), the active faults, live without reloading.

Mounted by the axis under ``/ui`` (``axis.mount("/ui", dashboard_app(axis.operator))``); it
reads the axis only through the ``AxisView`` protocol (:mod:`axis.ports`). Plain
server-rendered HTML; a small script listens to a Server-Sent Events stream and redraws the
sections a change touched. ``capture_dashboard_screenshot`` photographs it in headless
Chromium for reports and the demo.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from axis.dashboard.capture import (
    CHROMIUM,
    CHROMIUM_ARGS,
    BrowserUnavailable,
    CaptureFailed,
    capture_dashboard_screenshot,
    launch_chromium,
    log_in,
)
from axis.dashboard.routes import Dashboard

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from axis.ports import AxisView

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "BrowserUnavailable",
    "CaptureFailed",
    "Dashboard",
    "capture_dashboard_screenshot",
    "dashboard_app",
    "launch_chromium",
    "log_in",
]


def dashboard_app(axis: AxisView) -> Starlette:
    """The dashboard of ``axis`` as an ASGI app, to mount under a prefix such as ``/ui``."""
    return Dashboard(axis).app()
