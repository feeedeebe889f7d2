"""The timeline picture of one document: what the axis saw happen to it, per receiving agency.

One horizontal lane per receiver. Below the lane line, the transport events (sent, listed,
downloaded, acknowledged done or fail, injected faults); above it, the business statuses as
labelled boxes coloured by their stage (spec's :class:`~spec.status_codes.Stage`), so every
code spec knows gets its colour and its legend entry. The x axis is *model* time since the
document's first event (wall-clock time on the axis × the run's time scale), so a deadline such
as "01 within 5 minutes of download" can be read off the picture whatever the scale.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from reports.model import DocumentTimeline, TimelineEvent
from spec.status_codes import InvalidStatusCode, Stage, StatusCode

__all__ = ["STAGE_COLOURS", "status_style", "timeline_data_uri", "timeline_figure", "timeline_png"]

# (marker, colour, label) of each transport event on the lower half of a lane.
_TRANSPORT = {
    ("sent", None): ("D", "#455a64", "sent (sendEdoc)"),
    ("listed", None): ("o", "#1e88e5", "listed for the receiver"),
    ("downloaded", None): ("v", "#1565c0", "downloaded (getEdoc)"),
    ("ack", "done"): ("s", "#2e7d32", "acknowledged done"),
    ("ack", "fail"): ("X", "#c62828", "acknowledged fail"),
    ("fault", None): ("*", "#ef6c00", "injected fault"),
}
STAGE_COLOURS: dict[Stage, str] = {
    Stage.PROGRESS: "#a5d6a7",
    Stage.COMPLETED: "#43a047",
    Stage.REFUSED: "#ef9a9a",
    Stage.TAKE_BACK_ASKED: "#ffcc80",
    Stage.TAKE_BACK_AGREED: "#ce93d8",
    Stage.TAKE_BACK_REFUSED: "#bcaaa4",
}
"""The box colour of each stage of spec's status codes."""
_UNKNOWN_STATUS = ("#e0e0e0", "not a status code in use")
_TRANSPORT_Y, _STATUS_Y = -0.2, 0.2
# Statuses closer than this share of the time span are stacked so their labels do not overlap.
_CROWDED = 0.05


def _stage(code: str) -> Stage | None:
    try:
        return StatusCode.parse(code).stage
    except InvalidStatusCode:
        return None


def status_style(code: str) -> tuple[str, str]:
    """The box colour of status ``code`` and its legend entry: the codes of its stage and the
    stage's name (``"01 03 04 05 in progress"``), or grey for a code spec does not know."""
    stage = _stage(code)
    if stage is None:
        return _UNKNOWN_STATUS
    codes = " ".join(c.value for c in StatusCode if c.stage is stage)
    return STAGE_COLOURS[stage], f"{codes} {stage.value}"


def _unit(span_seconds: float) -> tuple[str, float]:
    if span_seconds < 120:
        return "seconds", 1.0
    if span_seconds < 120 * 60:
        return "minutes", 60.0
    return "hours", 3600.0


def _transport_key(event: TimelineEvent) -> tuple[str, str | None]:
    return (event.kind, event.code if event.kind == "ack" else None)


def _draw_statuses(
    ax: Axes, events: Sequence[TimelineEvent], y: float, xs: list[float], span: float
) -> None:
    last_x: float | None = None
    level = 0
    for event, x in zip(events, xs, strict=True):
        level = level + 1 if last_x is not None and x - last_x < _CROWDED * span else 0
        last_x = x
        colour = status_style(event.code or "")[0]
        ax.annotate(
            event.code or "",
            xy=(x, y),
            xytext=(x, y + _STATUS_Y + 0.15 * (level % 3)),
            ha="center",
            va="bottom",
            fontsize=8,
            fontweight="bold",
            bbox={"boxstyle": "round,pad=0.25", "fc": colour, "ec": "#424242", "lw": 0.6},
            arrowprops={"arrowstyle": "-", "color": "#757575", "lw": 0.6},
        )


def timeline_png(timeline: DocumentTimeline, *, time_scale: float = 1.0, dpi: int = 96) -> bytes:
    """The timeline picture of ``timeline`` as PNG bytes."""
    buffer = io.BytesIO()
    timeline_figure(timeline, time_scale=time_scale, dpi=dpi).savefig(
        buffer, format="png", metadata={"Software": None}
    )
    return buffer.getvalue()


def timeline_figure(
    timeline: DocumentTimeline, *, time_scale: float = 1.0, dpi: int = 96
) -> Figure:
    """The timeline picture of ``timeline`` (see the module docstring)."""
    lanes = timeline.receivers or ["(no events)"]
    start = timeline.events[0].at if timeline.events else None
    seconds = (
        [(e.at - start).total_seconds() * time_scale for e in timeline.events] if start else []
    )
    unit, per = _unit(max(seconds, default=0.0))
    xs_all = [s / per for s in seconds]
    span = max(max(xs_all, default=0.0), 1e-9)

    fig = Figure(figsize=(10.0, 1.6 + 0.75 * len(lanes)), dpi=dpi, layout="constrained")
    ax = fig.add_subplot()
    used_transport: set[tuple[str, str | None]] = set()
    used_status: set[tuple[str, str]] = set()
    for row, lane in enumerate(lanes):
        y = float(len(lanes) - 1 - row)
        ax.axhline(y, color="#bdbdbd", lw=0.8, zorder=0)
        on_lane = [
            (e, x) for e, x in zip(timeline.events, xs_all, strict=True) if e.receiver == lane
        ]
        for event, x in on_lane:
            if event.kind == "status":
                continue
            key = _transport_key(event)
            marker, colour, _ = _TRANSPORT[key]
            used_transport.add(key)
            ax.plot([x], [y + _TRANSPORT_Y], marker=marker, color=colour, ms=8, ls="none", zorder=3)
        statuses = [(e, x) for e, x in on_lane if e.kind == "status"]
        used_status.update(status_style(e.code or "") for e, _ in statuses)
        _draw_statuses(ax, [e for e, _ in statuses], y, [x for _, x in statuses], span)

    ax.set_yticks(range(len(lanes)), list(reversed(lanes)), fontsize=9)
    ax.set_ylim(-0.7, len(lanes) - 1 + 0.85)
    ax.set_xlim(-0.04 * span, span * 1.06)
    scale_note = f", run at ×{time_scale:g}" if time_scale != 1 else ""
    ax.set_xlabel(f"model time since the first event ({unit}{scale_note})", fontsize=9)
    ax.tick_params(axis="x", labelsize=8)
    ax.grid(axis="x", color="#eeeeee", lw=0.6)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    title = f"Document {timeline.document_id}"
    ax.set_title(
        title + (f" — {timeline.label}" if timeline.label else ""), fontsize=10, loc="left"
    )

    handles = [
        Line2D(
            [],
            [],
            marker=_TRANSPORT[k][0],
            color=_TRANSPORT[k][1],
            ls="none",
            ms=7,
            label=_TRANSPORT[k][2],
        )
        for k in _TRANSPORT
        if k in used_transport
    ] + [
        Patch(fc=colour, ec="#424242", lw=0.6, label=label)
        for colour, label in _in_stage_order(used_status)
    ]
    if handles:
        fig.legend(
            handles=handles,
            loc="outside lower center",
            ncols=min(4, len(handles)),
            fontsize=8,
            frameon=False,
        )
    return fig


def _in_stage_order(styles: set[tuple[str, str]]) -> list[tuple[str, str]]:
    """The legend entries of ``styles`` in the order of spec's stages, unknown codes last."""
    order = [status_style(c.value) for stage in Stage for c in StatusCode if c.stage is stage]
    return [style for style in dict.fromkeys([*order, _UNKNOWN_STATUS]) if style in styles]


def timeline_data_uri(timeline: DocumentTimeline, *, time_scale: float = 1.0) -> str:
    """The picture as a ``data:image/png;base64,...`` URI, for a self-contained HTML page."""
    png = timeline_png(timeline, time_scale=time_scale)
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
