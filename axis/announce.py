"""What ``lienthong axis serve`` prints at start: where to point the SDK (on every address a
remote SDK can use when the axis listens on all interfaces), the dashboard, the admin API and
its token, and every system with its secret and agencies, the simulated ones marked."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import psutil

if TYPE_CHECKING:
    from axis.app import AxisApp

__all__ = ["announce", "reachable_addresses"]

_ANY = frozenset({"0.0.0.0", "::"})


def reachable_addresses(ipv6: bool = False) -> list[str]:
    """This machine's addresses that another machine may reach (loopback and link-local
    left out), IPv4 first."""
    found: list[str] = []
    for entries in psutil.net_if_addrs().values():
        for entry in entries:
            try:
                address = ipaddress.ip_address(entry.address.split("%")[0])
            except ValueError:
                continue
            if address.is_loopback or address.is_link_local:
                continue
            if address.version == 4 or ipv6:
                found.append(str(address))
    return sorted(set(found), key=lambda a: (":" in a, a))


def _endpoints(url: str) -> list[str]:
    parts = urlsplit(url)
    host = (parts.hostname or "").strip("[]")
    if host not in _ANY:
        return [url]
    port = parts.port
    addresses = reachable_addresses(ipv6=host == "::") or ["127.0.0.1"]
    return [f"http://[{a}]:{port}" if ":" in a else f"http://{a}:{port}" for a in addresses]


def announce(app: AxisApp, url: str, out: Callable[[str], None]) -> None:
    """Print what a vendor needs: the endpoint(s), the dashboard, the admin token, the systems'
    credentials."""
    config = app.config
    endpoints = _endpoints(url)
    out(f"fake axis (Trục liên thông) listening on {url}")
    for n, endpoint in enumerate(endpoints):
        out(f"  {'endpoint for the SDK:' if n == 0 else '':<22} {endpoint}")
    out(f"  dashboard:             {endpoints[0]}/ui/  (log in with the admin token)")
    out(f"  admin API:             {endpoints[0]}/_admin  (openapi: /_admin/openapi.json)")
    out(f"  admin token:           {app.admin_token}")
    out(f"  data folder:           {app.store.path.parent}")
    out(f"  mode:                  {'strict' if config.strict else 'lenient'}")
    if config.seed is None and config.seed_defaults:
        out("  secrets:               random at this start (give --seed N to repeat them)")
    plan = app.faults.plan
    if plan is not None:
        out(f"  faults:                {len(plan.rules)} rules, seed {plan.seed}")
    if config.peers is not None and app.peer_plan is not None:
        scale = config.peers.time_scale
        out(f"  simulated peers:       answer as agencies, {scale:g}× faster than real time")
    out("  systems (systemId  secret  agencies):")
    served: dict[str, list[str]] = {}
    for agency in app.store.registry.agencies():
        served.setdefault(agency.system_id, []).append(agency.code)
    played = set(app.played_systems())
    for system_id, system in sorted(app.store.registry.systems_view().items()):
        codes = served.get(system_id, [])
        shown = ", ".join(codes[:3]) + (f", … ({len(codes)} in all)" if len(codes) > 3 else "")
        role = " [simulated peer]" if system_id in played else ""
        out(f"    {system_id}  {system.secret}  {shown or '(no agency yet)'}{role}")
