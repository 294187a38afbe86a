"""The registry (``tests/registry.py``) and the layers' test packages agree with the layers.

Every cross-layer test, ``make fuzz`` and ``make bench`` take the layers from the registry,
so a layer missing from it, or a test package missing a part, would go untested unseen.
"""

import json
import os

import pytest
import yaml

from kit import contract, fuzz_report, helpers, registered
from registry import LAYERS

#: what every layer's test package holds (README.md, "Adding a layer")
PACKAGE_FILES = ("__init__.py", "vectors.json", "adapter.py", "row.py", "fuzz_data.py",
                 "test_fuzz.py", "hookcost.py", "test_provides.py", "test_requires.py",
                 "test_example.py")


def test_every_layer_is_registered_once_and_every_registered_name_is_a_layer():
    assert len(set(LAYERS)) == len(LAYERS), "a layer is registered twice"
    assert sorted(LAYERS) == sorted(helpers.layer_dirs())


@pytest.mark.parametrize("interface", LAYERS)
def test_layer_test_package_has_every_part(interface):
    files = set(os.listdir(registered.test_package(interface)))
    assert sorted(set(PACKAGE_FILES) - files) == []


@pytest.mark.parametrize("interface", LAYERS)
def test_layer_row_adapter_vectors_and_hook_cost_cases_are_of_that_layer(interface):
    row = registered.module(interface, "row").ROW
    adapter = registered.module(interface, "adapter").ADAPTER
    cases = registered.module(interface, "hookcost").ENDPOINTS
    with open(registered.vectors_file(interface)) as f:
        vectors = json.load(f)
    assert row.interface == adapter.interface == vectors["interface"] == interface
    assert (adapter.provides_endpoint, adapter.requires_endpoint) == (row.provides, row.requires)
    assert {endpoint: (case.layer, case.side) for endpoint, case in cases.items()} == {
        row.provides: (interface, "provides"), row.requires: (interface, "requires")}


def test_contract_runner_reads_every_registered_layers_vectors_by_default(monkeypatch):
    monkeypatch.delenv("CONTRACT_VECTORS", raising=False)
    _, files = contract.vectors_files()
    assert files == [os.path.join(helpers.TESTS, interface, "vectors.json") for interface in LAYERS]


@pytest.mark.parametrize("processes", [1, 2, 3, len(LAYERS) + 1])
def test_make_fuzz_runs_every_layers_properties_once(processes):
    groups = fuzz_report.groups(processes)
    assert len(groups) == min(processes, len(LAYERS))
    files = [path for group in groups for path in group]
    assert sorted(files) == sorted(path for i in LAYERS for path in fuzz_report.fuzz_files(i))
    assert {os.path.join("tests", i, "test_fuzz.py") for i in LAYERS} <= set(files)
    assert os.path.join("tests", "parca_scrape", "test_fuzz_exact.py") in files


def test_make_fuzz_layers_runs_only_the_layers_named():
    groups = fuzz_report.groups(2, ["profiling", "cos_agent"])
    files = sorted(path for group in groups for path in group)
    assert files == sorted(fuzz_report.fuzz_files("cos_agent") + fuzz_report.fuzz_files("profiling"))
    assert len(groups) == 2
    with pytest.raises(SystemExit, match="not registered layers"):
        fuzz_report.groups(2, ["no_such_layer"])


@pytest.mark.parametrize("interface", LAYERS)
def test_a_layers_own_tests_run_a_charm_of_that_layer_alone(charms, interface):
    charm = charms(interface)
    assert os.listdir(os.path.join(charm, "hooks", "relations")) == [interface]
    with open(os.path.join(charm, "metadata.yaml")) as f:
        meta = yaml.safe_load(f)
    endpoints = [spec for role in ("provides", "requires") for spec in meta[role].values()]
    assert endpoints and {spec["interface"] for spec in endpoints} == {interface}
    with open(os.path.join(helpers.EXAMPLE, "metadata.yaml")) as f:
        example = yaml.safe_load(f)
    for role in ("provides", "requires"):  # the same endpoints as the example, limits included
        assert meta[role] == {k: v for k, v in example[role].items() if v["interface"] == interface}


def test_cross_layer_tests_run_the_charm_of_every_layer(charm_dir, jujusim_charm):
    assert charm_dir == jujusim_charm
    assert sorted(os.listdir(os.path.join(charm_dir, "hooks", "relations"))) == sorted(LAYERS)
