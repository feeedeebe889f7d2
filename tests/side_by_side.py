"""Long runs that mostly wait (a certification waits for model time) run side by side, each in
a process of its own. A test names its runs in a ``side_by_side`` mark (:func:`side_by_side`);
the first time a test asks for what its runs returned (the ``ran`` fixture), the runs of every
selected test are started at once, and each test then judges its own. The marked tests come
first in the collection (see the root conftest), so one xdist worker takes them all.

A run is called with a fresh folder of its own and must pickle: a module-level function, or a
``functools.partial`` of one."""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import pytest

MARK = "side_by_side"
PROCESSES = 6  # a certification keeps a core busy about a third of its time

Run = Callable[[Path], Any]


def side_by_side(*runs: Run) -> pytest.MarkDecorator:
    """The mark naming ``runs``. Given through ``with_args``: a mark called with a single
    function would take it for the test it marks."""
    return pytest.mark.side_by_side.with_args(*runs)


class SideBySide:
    """The runs of every marked test among ``items``, started at once."""

    def __init__(self, items: Sequence[pytest.Item], workdir: Path) -> None:
        self._pool = ProcessPoolExecutor(PROCESSES, mp_context=get_context("spawn"))
        marked = [(item, mark.args) for item in items if (mark := item.get_closest_marker(MARK))]
        self._futures: dict[str, list[Future[Any]]] = {}
        # Single long runs first; sweeps of many short runs fill in around them.
        for item, runs in sorted(marked, key=lambda pair: len(pair[1])):
            folder = workdir / re.sub(r"[^\w.-]+", "-", item.name)
            self._futures[item.nodeid] = [
                self._pool.submit(run, folder / str(i)) for i, run in enumerate(runs)
            ]

    def results(self, item: pytest.Item) -> list[Any]:
        """What the runs of ``item``'s mark returned, in the mark's order."""
        return [future.result() for future in self._futures[item.nodeid]]

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def lienthong(*argv: str) -> tuple[int, str]:
    """Run a ``lienthong`` command in this process (a run's process runs nothing else):
    its exit code and what it printed."""
    from lienthong.cli import main

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse's way out, as the command line sees it
            code = int(exc.code or 0)
    return code, printed.getvalue()
