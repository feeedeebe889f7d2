"""The page kit: templates escape every value and refuse undefined names; an app's static files
are its own over the shared base stylesheet, linked by their content's digest; the axis
dashboard and the onboarding board both serve and link the one base stylesheet."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import httpx
import jinja2
import pytest

from reports.pages import BASE_CSS, SHARED_STATIC, StaticAssets, page_environment


def test_values_are_escaped_and_undefined_names_refused(tmp_path: Path) -> None:
    (tmp_path / "p.html.j2").write_text(
        "<p>{{ name | shout }}</p>\n{% if x %}\n{% endif %}", "utf-8"
    )
    (tmp_path / "q.html.j2").write_text("<p>{{ name }}</p>", "utf-8")
    env = page_environment(tmp_path, {"shout": str.upper})
    page = env.get_template("p.html.j2").render(name="<script>", x=True)
    assert page == "<p>&lt;SCRIPT&gt;</p>\n"
    with pytest.raises(jinja2.UndefinedError):
        env.get_template("q.html.j2").render()


def test_an_apps_own_files_come_first_then_the_shared_ones(tmp_path: Path) -> None:
    (tmp_path / "app.css").write_text("a { color: red; }", "utf-8")
    (tmp_path / BASE_CSS).write_text("/* the app's own base */", "utf-8")
    assets = StaticAssets(tmp_path)
    assert assets.path("app.css") == tmp_path / "app.css"
    assert assets.path(BASE_CSS) == tmp_path / BASE_CSS
    assert StaticAssets(tmp_path / "none").path(BASE_CSS) == SHARED_STATIC / BASE_CSS
    assert assets.names()[0] == BASE_CSS and "app.css" in assets.names()
    with pytest.raises(FileNotFoundError, match=r"'nope\.css'"):
        assets.path("nope.css")


def test_the_version_is_the_contents_digest(tmp_path: Path) -> None:
    for name, text in (("a.css", "a {}"), ("b.css", "a {}"), ("c.css", "b {}")):
        (tmp_path / name).write_text(text, "utf-8")
    assets = StaticAssets(tmp_path)
    assert re.fullmatch(r"[0-9a-f]{10}", assets.version("a.css"))
    assert assets.version("a.css") == assets.version("b.css") != assets.version("c.css")


def _served_stylesheets(client: httpx.Client, page: str) -> list[str]:
    html = client.get(page).text
    links = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    for link in links:
        response = client.get(link)
        assert response.status_code == 200 and "text/css" in response.headers["content-type"]
    return [link.split("?")[0].rsplit("/", 1)[-1] for link in links]


def test_the_dashboard_and_the_board_link_the_one_base_stylesheet(tmp_path: Path) -> None:
    from axis import AxisConfig, create_app
    from axis.inprocess import InProcessTransport
    from board.registry import open_registry
    from board.web import board_app
    from reports.keys import TrustedKeys
    from spec.clock import VIETNAM, FixedClock

    axis = create_app(AxisConfig(seed=1), data_dir=tmp_path / "axis")
    with httpx.Client(transport=InProcessTransport(axis), base_url="http://axis") as client:
        assert _served_stylesheets(client, "/ui/login") == [BASE_CSS, "style.css"]
    with open_registry(tmp_path / "board.sqlite", who="test") as registry:
        clock = FixedClock(datetime(2026, 1, 5, 9, 0, tzinfo=VIETNAM))
        app = board_app(registry, TrustedKeys.of(), clock=clock, admin_token="t" * 24)
        with httpx.Client(transport=InProcessTransport(app), base_url="http://board") as client:
            assert _served_stylesheets(client, "/") == [BASE_CSS, "board.css"]
