"""The shared layer code is written once (``layerlib/``) and vendored whole (``make vendor``).

Every copy is its source byte for byte after a first line naming the source;
a layer has exactly the copies its modules import (and those import). One
byte changed in a copy, a copy missing, or a copy no module needs: all fail.
"""

import importlib.util
import os
import shutil

import pytest

from kit import helpers

spec = importlib.util.spec_from_file_location("vendor", os.path.join(helpers.ROOT, "tools", "vendor.py"))
vendor = importlib.util.module_from_spec(spec)
spec.loader.exec_module(vendor)


def _copies(root=helpers.ROOT):
    return [(layer, entry) for layer in vendor.layer_dirs(root) for entry in sorted(os.listdir(layer))
            if entry.endswith(".py") and vendor.is_vendored(os.path.join(layer, entry))]


def test_every_layer_has_exactly_the_current_vendored_copies():
    writes, removals = vendor.plan()
    assert (sorted(writes), removals) == ([], []), "run `make vendor`"


def test_every_copy_is_its_source_after_a_header_naming_it():
    shared = vendor.shared_modules()
    copies = _copies()
    assert len(copies) >= 8, copies
    for layer, entry in copies:
        with open(os.path.join(layer, entry), encoding="utf-8", newline="") as f:
            first, rest = f.readline(), f.read()
        assert first == vendor.header(entry[:-3]), (layer, entry)
        assert f"layerlib/{entry}" in first and "do not edit" in first
        assert rest == shared[entry[:-3]], (layer, entry)


def test_layers_use_the_shared_modules():
    uses = {os.path.basename(layer): {e for _, e in _copies() if _ == layer} for layer in vendor.layer_dirs()}
    assert {"_urls.py", "_app_requires.py", "_leader_sync.py"} <= uses["interface-prometheus-api"]
    assert "_many_requires.py" in uses["interface-parca-scrape"]
    assert all("_lifecycle.py" in names for names in uses.values()), uses


@pytest.fixture
def repo_copy(tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(os.path.join(helpers.ROOT, "layerlib"), str(root / "layerlib"))
    for layer in vendor.layer_dirs():
        shutil.copytree(layer, str(root / os.path.basename(layer)),
                        ignore=shutil.ignore_patterns("__pycache__", "docs"))
    assert vendor.plan(str(root)) == ({}, [])
    return str(root)


def test_a_one_byte_edit_of_a_copy_is_found(repo_copy):
    path = os.path.join(repo_copy, "interface-tempo-api", "_urls.py")
    with open(path, "rb") as f:
        data = bytearray(f.read())
    data[-2] = ord("#") if data[-2] != ord("#") else ord("!")
    with open(path, "wb") as f:
        f.write(bytes(data))
    writes, removals = vendor.plan(repo_copy)
    assert list(writes) == [path] and removals == []


def test_a_changed_source_makes_every_copy_stale(repo_copy):
    with open(os.path.join(repo_copy, "layerlib", "_lifecycle.py"), "a") as f:
        f.write("\n")
    writes, _ = vendor.plan(repo_copy)
    assert len(writes) == len(vendor.layer_dirs(repo_copy)) >= 4


def test_a_missing_copy_and_an_unneeded_copy_are_found(repo_copy):
    os.remove(os.path.join(repo_copy, "interface-prometheus-api", "_urls.py"))
    shutil.copy(os.path.join(repo_copy, "interface-tempo-api", "_urls.py"),
                os.path.join(repo_copy, "interface-parca-store", "_urls.py"))
    writes, removals = vendor.plan(repo_copy)
    assert list(writes) == [os.path.join(repo_copy, "interface-prometheus-api", "_urls.py")]
    assert removals == [os.path.join(repo_copy, "interface-parca-store", "_urls.py")]


def test_make_vendor_writes_what_check_wants(repo_copy):
    os.remove(os.path.join(repo_copy, "interface-prometheus-api", "_urls.py"))
    assert vendor.main(["--check"], root=repo_copy) == 1
    assert vendor.main([], root=repo_copy) == 0
    assert vendor.main(["--check"], root=repo_copy) == 0
    assert os.path.exists(os.path.join(repo_copy, "interface-prometheus-api", "_urls.py"))
