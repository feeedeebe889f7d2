"""The web board as an ASGI app (Starlette): every page readable by anyone who reaches it, every
change (import, plan, decision, deployment) only with the admin token.

A person signs in on ``/admin`` with their name and the token (kept in an HttpOnly, SameSite
strict cookie, so another site cannot make their browser post here); a program sends
``Authorization: Bearer TOKEN`` and ``X-Board-User: NAME`` (percent-encoded UTF-8). Uploads are bounded in size; a
refused change is a clear message and stores nothing.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any
from urllib.parse import quote, unquote

from starlette.applications import Starlette
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route

from board.certificates import (
    MAX_CERTIFICATE_BYTES,
    MAX_REPORT_BYTES,
    Software,
    TrustedKeys,
    parse_certificate,
)
from board.errors import BoardError, CertificateRefused, NotFound, PlanError
from board.plans import parse_plan
from board.registry import Registry
from board.status import phase_csv, phase_json
from board.web.pages import Pages
from board.web.render import ASSETS, Links, Renderer
from spec.clock import Clock, vietnam_today

COOKIE_TOKEN = "board_admin"
COOKIE_WHO = "board_who"
MAX_UPLOAD_BYTES = 4 << 20
MAX_FILES = 200
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

__all__ = ["BoardApp", "board_app"]

Handler = Callable[[Request], Awaitable[Response]]


class BoardApp:
    """The board over one registry; ``admin_token`` unlocks changes."""

    def __init__(
        self, registry: Registry, trusted: TrustedKeys, *, clock: Clock, admin_token: str
    ) -> None:
        if len(admin_token) < 16:
            raise ValueError(
                "admin_token must be at least 16 characters (use secrets.token_urlsafe)"
            )
        self.registry = registry
        self.trusted = trusted
        self.clock = clock
        self.admin_token = admin_token
        self.pages = Pages(registry, trusted, clock)
        self.renderer = Renderer()

    def __repr__(self) -> str:
        return f"BoardApp({self.registry!r})"

    # --- plumbing -------------------------------------------------------------------------

    def _who(self, request: Request) -> str | None:
        """The signed-in person's name, or None when the request carries no valid token."""
        header = request.headers.get("authorization", "")
        token = (
            header[7:]
            if header.lower().startswith("bearer ")
            else unquote(request.cookies.get(COOKIE_TOKEN, ""))
        )
        if not token or not secrets.compare_digest(token.encode(), self.admin_token.encode()):
            return None
        who = request.headers.get("x-board-user") or request.cookies.get(COOKIE_WHO) or ""
        return " ".join(unquote(who).split())[:100] or "admin"

    def _links(self, request: Request) -> Links:
        return Links(request.scope.get("root_path", "") + "/")

    def _page(self, request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = self.renderer.render(
            name,
            links=self._links(request),
            admin=self._who(request) is not None,
            trusted_count=len(self.trusted.keys),
            today=context.pop("today", vietnam_today(self.clock)),
            **context,
        )
        return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)

    async def _run(self, work: Callable[[], Any]) -> Any:
        return await asyncio.to_thread(work)

    def _guard(self, handler: Handler) -> Handler:
        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except NotFound as exc:
                return self._page(request, "not_found.html.j2", 404, message=str(exc))

        return guarded

    # --- pages ----------------------------------------------------------------------------

    async def overview(self, request: Request) -> Response:
        context = await self._run(lambda: self.pages.overview(request.query_params.get("phase")))
        return self._page(request, "overview.html.j2", **context)

    async def phase(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name.endswith(".json"):
            return await self.phase_data(request, name[:-5], "json")
        if name.endswith(".csv"):
            return await self.phase_data(request, name[:-4], "csv")
        capacity = _int(request.query_params.get("capacity"), 5, 1, 1000)
        context = await self._run(lambda: self.pages.phase(name, capacity=capacity))
        return self._page(request, "phase.html.j2", **context)

    async def phase_data(self, request: Request, name: str, kind: str) -> Response:
        context = await self._run(lambda: self.pages.phase(name))
        data = phase_json(context["readiness"], context["agencies"])
        if kind == "json":
            return JSONResponse(data, headers=SECURITY_HEADERS)
        return Response(
            phase_csv(data),
            media_type="text/csv; charset=utf-8",
            headers={
                **SECURITY_HEADERS,
                "Content-Disposition": f'attachment; filename="{name}.csv"',
            },
        )

    async def agency(self, request: Request) -> Response:
        context = await self._run(lambda: self.pages.agency(request.path_params["organ_id"]))
        return self._page(request, "agency.html.j2", **context)

    async def certificate(self, request: Request) -> Response:
        digest = request.path_params["digest"]
        if digest.endswith(".json"):
            found = await self._run(lambda: self.registry.certificate(digest[:-5]))
            return JSONResponse(dict(found.document), headers=SECURITY_HEADERS)
        context = await self._run(lambda: self.pages.certificate(digest))
        return self._page(request, "certificate.html.j2", **context)

    async def product(self, request: Request) -> Response:
        product_id = _int(request.path_params["product_id"], -1, -1, 2**62)
        context = await self._run(lambda: self.pages.product(product_id))
        return self._page(request, "product.html.j2", **context)

    async def audit(self, request: Request) -> Response:
        context = await self._run(self.pages.audit)
        return self._page(request, "audit.html.j2", **context)

    # --- admin ----------------------------------------------------------------------------

    async def admin(
        self, request: Request, messages: list[tuple[str, str]] | None = None, status: int = 200
    ) -> Response:
        who = self._who(request)
        plans = await self._run(self.registry.plans) if who else []
        return self._page(
            request, "admin.html.j2", status, who=who, plans=plans, messages=messages or []
        )

    async def admin_page(self, request: Request) -> Response:
        return await self.admin(request)

    async def login(self, request: Request) -> Response:
        async with request.form(max_files=0, max_fields=10) as form:
            token = str(form.get("token", ""))
            who = " ".join(str(form.get("who", "")).split())[:100]
        if not secrets.compare_digest(token.encode(), self.admin_token.encode()) or not who:
            return await self.admin(
                request, [("refused", "wrong admin token (or no name given)")], 403
            )
        response = RedirectResponse(self._links(request).admin(), status_code=303)
        secure = request.url.scheme == "https"
        for name, value in ((COOKIE_TOKEN, quote(token)), (COOKIE_WHO, quote(who))):
            response.set_cookie(
                name, value, httponly=True, samesite="strict", secure=secure, path="/"
            )
        return response

    async def logout(self, request: Request) -> Response:
        response = RedirectResponse(self._links(request).admin(), status_code=303)
        response.delete_cookie(COOKIE_TOKEN, path="/")
        response.delete_cookie(COOKIE_WHO, path="/")
        return response

    def _changes(self, handler: Callable[[Request, str, FormData], Awaitable[Response]]) -> Handler:
        async def checked(request: Request) -> Response:
            who = self._who(request)
            if who is None:
                return await self.admin(
                    request, [("refused", "changes need the admin token: sign in first")], 403
                )
            length = request.headers.get("content-length")
            if length is None or not length.isdigit():
                return await self.admin(
                    request, [("refused", "a change must say its size (Content-Length)")], 411
                )
            if int(length) > MAX_UPLOAD_BYTES * 2:
                return await self.admin(request, [("refused", "the upload is over 8 MiB")], 413)
            async with request.form(max_files=MAX_FILES + 1, max_fields=20) as form:
                return await handler(request, who, form)

        return checked

    async def do_import(self, request: Request, who: str, form: FormData) -> Response:
        uploads = [f for f in form.getlist("certificate") if isinstance(f, UploadFile)]
        report_file = form.get("report")
        report = None
        if isinstance(report_file, UploadFile) and report_file.filename:
            report = await _read(report_file, MAX_REPORT_BYTES)
            if report is None:
                return await self.admin(
                    request,
                    [("refused", f"{report_file.filename}: the report is over 64 MiB")],
                    413,
                )
        if len(uploads) > MAX_FILES:
            return await self.admin(
                request, [("refused", f"at most {MAX_FILES} files at once")], 400
            )
        if report is not None and len(uploads) != 1:
            return await self.admin(
                request, [("refused", "give a report.json with exactly one certificate")], 400
            )
        messages: list[tuple[str, str]] = []
        accepted = []
        for upload in uploads:
            name = upload.filename or "certificate"
            data = await _read(upload, MAX_CERTIFICATE_BYTES)
            try:
                if data is None:
                    raise CertificateRefused(name, "malformed", ["it is over 1 MiB"])
                accepted.append(
                    (
                        parse_certificate(
                            data,
                            self.trusted,
                            today=vietnam_today(self.registry.clock),
                            source=f"upload:{name}",
                            report=report,
                        ),
                        f"upload:{name}",
                    )
                )
            except CertificateRefused as exc:
                messages.append(
                    ("refused", f"{name}: refused ({exc.kind}): {'; '.join(exc.reasons)}")
                )
        deploy = form.get("deploy") == "1"
        try:
            outcomes = await self._run(
                lambda: self.registry.import_certificates(accepted, who=who, deploy=deploy)
            )
        except BoardError as exc:
            return await self.admin(request, [*messages, ("refused", str(exc))], 400)
        for outcome in outcomes:
            c = outcome.certificate
            word = "imported" if outcome.added else "already in the registry"
            messages.append(
                (
                    "ok",
                    f"{c.party.organ_id} {c.party.agency}: certificate {c.short} {c.verdict.value}, {word}",
                )
            )
        refused = any(kind == "refused" for kind, _ in messages)
        return await self.admin(request, messages, 400 if refused and not outcomes else 200)

    async def do_plan(self, request: Request, who: str, form: FormData) -> Response:
        upload = form.get("plan")
        data = await _read(upload, 1 << 20) if isinstance(upload, UploadFile) else None
        if data is None:
            return await self.admin(
                request, [("refused", "give a plan file of at most 1 MiB")], 400
            )
        source = f"upload:{upload.filename or 'plan.yaml'}"  # type: ignore[union-attr]
        try:
            text = data.decode("utf-8")
            plan = parse_plan(text, source, self.registry.resolve)
            added = await self._run(
                lambda: self.registry.load_plan(plan, who=who, replace=form.get("replace") == "1")
            )
        except UnicodeDecodeError:
            return await self.admin(request, [("refused", f"{source} is not UTF-8 text")], 400)
        except PlanError as exc:
            return await self.admin(
                request,
                [("refused", f"plan {source} is not valid:")]
                + [("error", p) for p in exc.problems],
                400,
            )
        except BoardError as exc:
            return await self.admin(request, [("refused", str(exc))], 400)
        word = "loaded" if added else "replaced"
        return await self.admin(
            request, [("ok", f"plan {plan.name} {word}: {len(plan.members)} members")]
        )

    async def do_decide(self, request: Request, who: str, form: FormData) -> Response:
        try:
            ready = str(form.get("expected_ready") or "")
            fix = str(form.get("fix_days") or "")
            decision = await self._run(
                lambda: self.registry.decide(
                    str(form.get("plan", "")),
                    str(form.get("organ_id", "")).strip(),
                    expected_ready=date.fromisoformat(ready) if ready else None,
                    fix_days=int(fix) if fix else None,
                    note=str(form.get("note", ""))[:500],
                    who=who,
                )
            )
        except ValueError as exc:
            return await self.admin(request, [("refused", f"not a date or a number: {exc}")], 400)
        except BoardError as exc:
            return await self.admin(request, [("refused", str(exc))], 400)
        return await self.admin(
            request, [("ok", f"decision recorded for {decision.organ_id} in {decision.plan}")]
        )

    async def do_deploy(self, request: Request, who: str, form: FormData) -> Response:
        fields = {
            k: " ".join(str(form.get(k, "")).split())[:200]
            for k in ("organ_id", "vendor", "product", "version", "build", "system_id")
        }
        if not all(fields[k] for k in ("organ_id", "vendor", "product", "version", "build")):
            return await self.admin(
                request,
                [("refused", "organ id, vendor, product, version and build are all needed")],
                400,
            )
        software = Software(fields["vendor"], fields["product"], fields["version"], fields["build"])
        try:
            deployment = await self._run(
                lambda: self.registry.record_deployment(
                    fields["organ_id"], software, system_id=fields["system_id"] or None, who=who
                )
            )
        except BoardError as exc:
            return await self.admin(request, [("refused", str(exc))], 400)
        return await self.admin(
            request,
            [("ok", f"{deployment.organ_id} runs {software.label} from {deployment.since}")],
        )

    # --- the app --------------------------------------------------------------------------

    def app(self) -> Starlette:
        g = self._guard
        routes = [
            Route("/", g(self.overview)),
            Route("/phase/{name}", g(self.phase)),
            Route("/agency/{organ_id}", g(self.agency)),
            Route("/certificate/{digest}", g(self.certificate)),
            Route("/product/{product_id}", g(self.product)),
            Route("/audit", g(self.audit)),
            Route("/admin", self.admin_page),
            Route("/admin/login", self.login, methods=["POST"]),
            Route("/admin/logout", self.logout, methods=["POST"]),
            Route("/admin/import", self._changes(self.do_import), methods=["POST"]),
            Route("/admin/plan", self._changes(self.do_plan), methods=["POST"]),
            Route("/admin/decide", self._changes(self.do_decide), methods=["POST"]),
            Route("/admin/deploy", self._changes(self.do_deploy), methods=["POST"]),
            Mount("/static", ASSETS.app(), name="static"),
        ]

        async def not_found(request: Request, exc: Exception) -> Response:
            if not isinstance(exc, HTTPException):
                raise exc
            return self._page(request, "not_found.html.j2", exc.status_code, message=exc.detail)

        return Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found})


def board_app(
    registry: Registry, trusted: TrustedKeys, *, clock: Clock, admin_token: str
) -> Starlette:
    """The web board over ``registry`` as an ASGI app."""
    return BoardApp(registry, trusted, clock=clock, admin_token=admin_token).app()


def _int(text: str | None, default: int, low: int, high: int) -> int:
    try:
        value = int(text) if text is not None else default
    except ValueError:
        return default
    return min(max(value, low), high)


async def _read(upload: Any, limit: int) -> bytes | None:
    """The upload's bytes, or None when it is over ``limit``."""
    data = await upload.read(limit + 1)
    return None if len(data) > limit else data
