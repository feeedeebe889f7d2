"""DESIGN.md's import contracts (pyproject's ``[tool.importlinter]``, run by ``make lint``) hold
on the tree, and each one refuses the import it exists to refuse."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import grimp
import pytest
from importlinter.api import read_configuration
from importlinter.contracts.acyclic_siblings import AcyclicSiblingsContract
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.layers import LayersContract

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
CONTRACT_TYPES = {
    kind.type_name: kind for kind in (LayersContract, ForbiddenContract, AcyclicSiblingsContract)
}
CONFIGURATION = read_configuration(str(PYPROJECT))
CONTRACTS: dict[str, dict[str, Any]] = {
    options["id"]: options for options in CONFIGURATION["contracts_options"]
}


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    roots = CONFIGURATION["session_options"]["root_packages"]
    return grimp.build_graph(*roots, cache_dir=None)


def kept(contract_id: str, graph: grimp.ImportGraph) -> bool:
    options = CONTRACTS[contract_id]
    contract = CONTRACT_TYPES[options["type"]](
        name=options["name"],
        session_options=CONFIGURATION["session_options"],
        contract_options=options,
    )
    return contract.check(copy.deepcopy(graph), verbose=False).kept


@pytest.mark.parametrize("contract_id", sorted(CONTRACTS))
def test_contract_holds_on_the_tree(contract_id: str, graph: grimp.ImportGraph) -> None:
    assert kept(contract_id, graph)


@pytest.mark.parametrize(
    ("contract_id", "importer", "imported"),
    [
        ("layers", "spec.clock", "axis.events"),
        ("layers", "spec.status_codes", "fixtures.agencies"),
        ("layers", "fixtures.agencies", "sim.model"),
        ("layers", "reports.model", "conformance.settings"),
        ("layers", "reports.model", "axis.app"),
        ("layers", "conformance.world", "load.plan"),
        ("layers", "axis.app", "lienthong.cli"),
        ("board-parts", "board.registry", "axis.client"),
        ("suite-and-load-parts", "load.plan", "sim.model"),
        ("suite-and-load-parts", "conformance.world", "sim.model"),
        ("reports-parts", "reports.model", "fixtures.agencies"),
        ("axis-surface", "conformance.world", "axis.store"),
        ("axis-surface", "load.checks", "axis.app"),
        ("acyclic", "load.summary", "load.runner"),
        ("acyclic", "axis.events", "axis.app"),
    ],
)
def test_contract_refuses_the_import_it_exists_for(
    contract_id: str, importer: str, imported: str, graph: grimp.ImportGraph
) -> None:
    assert {importer, imported} <= graph.modules
    assert not graph.direct_import_exists(importer=importer, imported=imported)
    graph.add_import(importer=importer, imported=imported)
    try:
        assert not kept(contract_id, graph)
    finally:
        graph.remove_import(importer=importer, imported=imported)
