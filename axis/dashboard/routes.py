"""The dashboard's HTTP routes: the overview, a document's timeline and raw bytes, the
fragments the page refreshes, a Server-Sent Events stream that says when and what to refresh,
and the login that guards them (:mod:`axis.dashboard.sessions`).

Pages are plain server-rendered HTML; ``app.js`` keeps them live by listening to ``/events``
and fetching the fragments a change touches. The stream is driven by the axis's ``EventBus``:
it sleeps until a commit wakes it (or a keep-alive is due), never polls.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, quote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Mount, Route

from axis.dashboard import views
from axis.dashboard.projection import Projection
from axis.dashboard.rendering import ASSETS, Renderer
from axis.dashboard.sessions import COOKIE, Sessions, from_loopback
from axis.events import CallEvent, EventKind, StoredEvent
from axis.numbers import whole_number
from axis.ports import AxisView

KEEPALIVE_S = 15.0
MAX_CHANGE_EVENTS = 500
MAX_MESSAGES = 500
RETRY_MS = 2000
SECTIONS = ("counts", "messages", "systems", "agencies", "faults")
# Transcript event kinds after which a section must be redrawn ("*": any event).
SECTION_KINDS = {
    "counts": "*",
    "messages": "*",
    "systems": "*",
    "agencies": " ".join((EventKind.AGENCY, EventKind.SYSTEM, EventKind.ADMIN, EventKind.START)),
    "faults": " ".join((EventKind.FAULT, EventKind.FAULTS, EventKind.ADMIN, EventKind.START)),
}
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

__all__ = ["Dashboard"]


class Dashboard:
    """The dashboard of one axis: its projection, its templates and its routes."""

    def __init__(self, axis: AxisView) -> None:
        self.axis = axis
        self.projection = Projection(axis)
        self.renderer = Renderer()
        self.sessions = Sessions()

    def __repr__(self) -> str:
        return f"Dashboard({self.axis!r})"

    # --- rendering ----------------------------------------------------------------------

    def _page(self, request: Request, name: str, status: int = 200, **context: Any) -> Response:
        context.setdefault("authed", self.sessions.valid(request))
        html = self.renderer.render(
            name, base=request.scope.get("root_path", ""), head=self.axis.head()[0], **context
        )
        return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)

    def _login_first(self, request: Request) -> Response:
        """A page that needs the admin token: to the login form, back here afterwards."""
        base = request.scope.get("root_path", "")
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(
            f"{base}/login?next={quote(target)}", status_code=303, headers=SECURITY_HEADERS
        )

    def _refused(self, request: Request) -> Response:
        return self._page(
            request,
            "not_found.html.j2",
            401,
            title="Log in first",
            what="This part of the dashboard needs the admin token (log in on the overview).",
        )

    def _section(
        self, name: str, limit: int, keep: views.MessageFilter = views.NO_FILTER
    ) -> dict[str, Any]:
        axis, projection = self.axis, self.projection
        if name == "counts":
            return {"counts": views.counts(axis)}
        if name == "messages":
            names = views.Names.of(axis)
            return {
                "messages": views.message_rows(axis, projection, names, limit, keep),
                "limit": limit,
                "total": len(projection.seqs),
                "keep": keep,
            }
        if name == "systems":
            return {"systems": views.system_rows(axis)}
        if name == "agencies":
            return {"agencies": views.agency_rows(axis)}
        return {"faults": views.fault_rows(axis, projection)}

    def _document(self, doc_id: str) -> dict[str, Any] | None:
        names = views.Names.of(self.axis)
        document = views.document_view(self.axis, self.projection, names, doc_id)
        if document is None:
            return None
        rows = views.timeline_rows(self.axis, self.projection, names, doc_id)
        family = sorted({document.message.doc_id, *(m.doc_id for m in document.related)})
        return {"document": document, "timeline": rows, "family": family}

    # --- endpoints ----------------------------------------------------------------------

    async def overview(self, request: Request) -> Response:
        authed = self.sessions.valid(request)
        if not authed and not from_loopback(request):
            return self._login_first(request)
        limit = _limit(request)
        keep = _filter(request)
        self.projection.refresh()
        context: dict[str, Any] = self._section("counts", limit)
        if authed:
            for name in SECTIONS[1:]:
                context.update(self._section(name, limit, keep))
            context["choices"] = views.filter_choices(self.axis)
        return self._page(request, "overview.html.j2", section_kinds=SECTION_KINDS, **context)

    async def fragment(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in SECTIONS:
            return self._page(request, "not_found.html.j2", 404, what=f"fragment {name!r}")
        public = name == "counts" and from_loopback(request)
        if not public and not self.sessions.valid(request):
            return self._refused(request)
        self.projection.refresh()
        limit = _limit(request)
        section = self._section(name, limit, _filter(request))
        return self._page(request, f"_{name}.html.j2", **section)

    async def document(self, request: Request) -> Response:
        if not self.sessions.valid(request):
            return self._login_first(request)
        doc_id = request.path_params["doc_id"]
        self.projection.refresh()
        context = self._document(doc_id)
        if context is None:
            return self._page(request, "not_found.html.j2", 404, what=f"document {doc_id!r}")
        return self._page(request, "document.html.j2", doc_id=doc_id, **context)

    async def document_fragment(self, request: Request) -> Response:
        if not self.sessions.valid(request):
            return self._refused(request)
        doc_id = request.path_params["doc_id"]
        self.projection.refresh()
        context = self._document(doc_id)
        if context is None:
            return self._page(request, "not_found.html.j2", 404, what=f"document {doc_id!r}")
        return self._page(request, "_document.html.j2", doc_id=doc_id, **context)

    async def raw(self, request: Request) -> Response:
        """The bytes the axis stored, exactly as they were sent, as a download."""
        if not self.sessions.valid(request):
            return self._refused(request)
        doc_id = request.path_params["doc_id"]
        body = self.axis.body(doc_id)
        if body is None:
            return self._page(request, "not_found.html.j2", 404, what=f"document {doc_id!r}")
        name = "".join(c for c in doc_id if c.isalnum() or c == "-")[:64] or "document"
        return Response(
            body,
            media_type="application/octet-stream",
            headers={
                **SECURITY_HEADERS,
                "Content-Disposition": f'attachment; filename="{name}.edxml"',
            },
        )

    async def login_form(self, request: Request) -> Response:
        return self._page(request, "login.html.j2", next=_next(request), failed=False)

    async def login(self, request: Request) -> Response:
        form = await _form(request)
        target = _safe_next(form.get("next", ""), request)
        if not self.axis.check_token(form.get("token", "").strip()):
            return self._page(request, "login.html.j2", 401, next=target, failed=True)
        base = request.scope.get("root_path", "")
        response = RedirectResponse(target or f"{base}/", status_code=303, headers=SECURITY_HEADERS)
        response.set_cookie(
            COOKIE,
            self.sessions.open(),
            httponly=True,
            samesite="strict",
            path=base or "/",
            secure=request.url.scheme == "https",
        )
        return response

    async def logout(self, request: Request) -> Response:
        self.sessions.close(request.cookies.get(COOKIE, ""))
        base = request.scope.get("root_path", "")
        response = RedirectResponse(f"{base}/", status_code=303, headers=SECURITY_HEADERS)
        response.delete_cookie(COOKIE, path=base or "/")
        return response

    async def events(self, request: Request) -> Response:
        if not self.sessions.valid(request):
            return self._refused(request)
        start = _last_event_id(request)
        return StreamingResponse(
            self.changes(start),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    async def changes(self, after: int | None) -> AsyncIterator[str]:
        """The SSE stream: a ``change`` event for every batch of commits after ``after`` (the
        current head when None), a comment as keep-alive while nothing happens."""
        bus = self.axis.bus
        sent = self.axis.head()[0] if after is None else after
        yield f"retry: {RETRY_MS}\nid: {sent}\nevent: hello\ndata: {json.dumps({'head': sent})}\n\n"
        while not bus.closed:
            # Take the wake-up event before reading the head, so a commit in between is seen.
            wake = bus.snapshot()
            head = self.axis.head()[0]
            if head != sent:
                change = self._change(sent, head)
                sent = head
                yield f"id: {head}\nevent: change\ndata: {json.dumps(change)}\n\n"
                continue
            await bus.wait(wake, KEEPALIVE_S)
            if not wake.is_set() and not bus.closed:
                yield ": keep-alive\n\n"

    def _change(self, after: int, head: int) -> dict[str, Any]:
        """What the events after ``after`` touched: kinds, DocIds and DocumentIds (or
        ``all`` when there were too many to list, or the transcript went backwards)."""
        if head < after:
            return {"head": head, "all": True}
        events = self.axis.events_after(after, limit=MAX_CHANGE_EVENTS + 1)
        if len(events) > MAX_CHANGE_EVENTS:
            return {"head": head, "all": True}
        kinds = sorted({str(e.kind) for e in events})
        docs = {e.doc_id for e in events if e.doc_id}
        for event in events:
            if isinstance(event.body, CallEvent):
                docs.update(event.body.listed)
        documents = sorted(
            {e.body.document_id for e in events if isinstance(e.body, StoredEvent)} - {""}
        )
        return {"head": head, "kinds": kinds, "docs": sorted(docs), "documents": documents}

    # --- the app ------------------------------------------------------------------------

    async def _bad_query(self, request: Request, exc: Exception) -> Response:
        return self._page(request, "not_found.html.j2", 400, what=str(exc), title="Bad request")

    def app(self) -> Starlette:
        return Starlette(
            exception_handlers={_BadQuery: self._bad_query},
            routes=[
                Route("/", self.overview, methods=["GET"], name="overview"),
                Route("/events", self.events, methods=["GET"], name="events"),
                Route("/fragments/{name}", self.fragment, methods=["GET"]),
                Route(
                    "/fragments/documents/{doc_id:path}", self.document_fragment, methods=["GET"]
                ),
                Route("/login", self.login_form, methods=["GET"]),
                Route("/login", self.login, methods=["POST"]),
                Route("/logout", self.logout, methods=["POST"]),
                Route("/raw/{doc_id:path}", self.raw, methods=["GET"]),
                Route("/documents/{doc_id:path}", self.document, methods=["GET"]),
                Mount("/static", ASSETS.app(), name="static"),
                Route("/{rest:path}", self.unknown, methods=["GET"]),
            ],
        )

    async def unknown(self, request: Request) -> Response:
        return self._page(request, "not_found.html.j2", 404, what=f"page {request.url.path!r}")


class _BadQuery(Exception):
    """A query parameter the dashboard cannot use; answered with 400 and this message."""


def _limit(request: Request) -> int:
    raw = request.query_params.get("limit")
    if raw is None:
        return views.DEFAULT_MESSAGES
    limit = whole_number(raw)
    if limit is None or not 1 <= limit <= MAX_MESSAGES:
        raise _BadQuery(
            f"query parameter limit={raw[:40]!r} must be a whole number in 1..{MAX_MESSAGES}"
        )
    return limit


def _last_event_id(request: Request) -> int | None:
    return whole_number(request.headers.get("last-event-id") or request.query_params.get("after"))


MAX_FORM_BYTES = 4096


async def _form(request: Request) -> dict[str, str]:
    """A small urlencoded form (the login), read without a multipart parser."""
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_FORM_BYTES:
            raise _BadQuery(f"the form is over {MAX_FORM_BYTES} bytes")
    fields = parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)
    return {k: v[0] for k, v in fields.items() if v}


def _next(request: Request) -> str:
    return _safe_next(request.query_params.get("next", ""), request)


def _safe_next(target: str, request: Request) -> str:
    """Where to go after logging in: a page of this dashboard only (never another site)."""
    base = request.scope.get("root_path", "")
    if target.startswith(f"{base}/") and not target.startswith("//") and "\\" not in target:
        return target[:500]
    return ""


def _filter(request: Request) -> views.MessageFilter:
    def value(name: str) -> str:
        text = request.query_params.get(name, "").strip()
        if len(text) > 100:
            raise _BadQuery(f"query parameter {name} is longer than 100 characters")
        return text

    return views.MessageFilter(value("system"), value("agency"), value("status"))
