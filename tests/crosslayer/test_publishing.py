"""Publishable: a layer-index entry per layer, and one place that says where they live.

``interfaces/<layer name>.json`` must be what ``make index`` writes, exist for
every ``interface-*`` folder (so a new layer is covered without editing this
file), follow the format of https://github.com/juju/layer-index and agree
with the layer's ``interface.yaml``; the repository URL and the maintainer
are stated once, in ``publishing.yaml``, and every copy must agree with it.
The last test takes every layer through its entry with the real charm-build,
as charm-tools will once the entries are in the index.
"""

import glob
import importlib.util
import json
import os
import shutil
import subprocess

import jsonschema
import pytest
import yaml

from jujusim import build as jbuild
from kit import helpers

INDEX_DIR = os.path.join(helpers.ROOT, "interfaces")
PREFIX = "interface-"

#: The layer index's ``schema.json`` (juju/layer-index, at its root), as data.
INDEX_SCHEMA = {
    "type": "object",
    "properties": {"id": {"type": "string"}, "name": {"type": "string"},
                   "repo": {"type": "string"}, "summary": {"type": "string"}},
    "required": ["id", "name", "repo", "summary"],
    "title": "Layer",
}
#: Keys the index's interface entries use (``docs`` and ``subdir``: e.g. its cos-agent.json).
INDEX_KEYS = {"id", "name", "repo", "summary", "docs", "subdir"}
#: Interface ids the layer index already lists, with the repository it resolves them to.
TAKEN_IN_THE_INDEX = {
    "cos-agent": "https://github.com/canonical/charm-interface-cos-agent.git",
    "prometheus-scrape": "https://github.com/openstack-charmers/charm-interface-prometheus-scrape.git",
    # the legacy grafana-dashboard interface (another wire format)
    "grafana-dashboard": "https://github.com/juju-solutions/interface-grafana-dashboard.git",
}


def load_tool():
    path = os.path.join(helpers.ROOT, "tools", "layer_index.py")
    spec = importlib.util.spec_from_file_location("layer_index", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def publishing():
    with open(os.path.join(helpers.ROOT, "publishing.yaml")) as f:
        return yaml.safe_load(f)


def folders():
    """Every layer folder of the repository (``interface-*`` with an ``interface.yaml``)."""
    return sorted(os.path.basename(os.path.dirname(p)) for p in
                  glob.glob(os.path.join(helpers.ROOT, PREFIX + "*", "interface.yaml")))


def interface_yaml(folder):
    with open(os.path.join(helpers.ROOT, folder, "interface.yaml")) as f:
        return yaml.safe_load(f)


def entries():
    """``{file name: parsed entry}`` of every checked-in entry."""
    out = {}
    for path in sorted(glob.glob(os.path.join(INDEX_DIR, "*.json"))):
        with open(path) as f:
            out[os.path.basename(path)] = json.load(f)
    return out


def test_entries_are_what_make_index_writes():
    assert load_tool().stale() == [], "run `make index`"


def test_every_layer_folder_has_an_entry_and_every_entry_a_layer():
    assert folders(), "no layers found"
    assert sorted(entries()) == sorted(f"{folder[len(PREFIX):]}.json" for folder in folders())


@pytest.mark.parametrize("folder", folders())
def test_entry_follows_the_layer_index_format(folder):
    name = f"{folder[len(PREFIX):]}.json"
    entry = entries()[name]
    jsonschema.validate(entry, INDEX_SCHEMA)
    assert name == entry["id"] + ".json", "the index's file name is the id"
    assert set(entry) <= INDEX_KEYS, set(entry) - INDEX_KEYS
    for key, value in entry.items():
        assert isinstance(value, str) and value.strip() == value and value, key
    # The index's update_readme.py puts id, repo, name and summary in a Markdown table row.
    for key in ("id", "name", "summary", "repo"):
        assert "|" not in entry[key] and "\n" not in entry[key], key
    assert entry["id"] == entry["id"].lower() and " " not in entry["id"]


@pytest.mark.parametrize("folder", folders())
def test_entry_agrees_with_the_layer_interface_yaml(folder):
    entry = entries()[f"{folder[len(PREFIX):]}.json"]
    meta = interface_yaml(folder)
    assert entry["subdir"] == folder
    assert os.path.exists(os.path.join(helpers.ROOT, entry["subdir"], "interface.yaml"))
    # interface:<id> resolves to the same folder locally (CHARM_INTERFACES_DIR) and in the index
    assert PREFIX + entry["id"] == folder
    assert entry["summary"] == " ".join(meta["summary"].split())
    assert entry["repo"] == meta["repo"]
    assert entry["docs"].endswith(f"/{folder}/README.md")
    assert os.path.exists(os.path.join(helpers.ROOT, folder, "README.md"))


@pytest.mark.parametrize("folder", folders())
def test_entry_id_is_not_taken_in_the_layer_index_unless_it_is_a_declared_replacement(folder):
    layer_id = folder[len(PREFIX):]
    replaces = publishing().get("replaces") or {}
    if layer_id in replaces:  # a drop-in for the index's layer: proposed as a change of its entry
        assert replaces[layer_id] == TAKEN_IN_THE_INDEX.get(layer_id), (
            f"publishing.yaml says interface:{layer_id} replaces {replaces[layer_id]}, "
            f"but the index has {TAKEN_IN_THE_INDEX.get(layer_id)}")
        return
    assert layer_id not in TAKEN_IN_THE_INDEX, (
        f"interface:{layer_id} already resolves to {TAKEN_IN_THE_INDEX[layer_id]} in the layer index")


def test_declared_replacements_are_ids_the_index_has():
    assert set(publishing().get("replaces") or {}) <= set(TAKEN_IN_THE_INDEX)


def test_repo_and_maintainer_are_stated_once_and_every_copy_agrees():
    pub = publishing()
    copies = []
    for folder in folders():
        meta = interface_yaml(folder)
        copies += [(f"{folder}/interface.yaml repo", meta["repo"], pub["repo"]),
                   (f"{folder}/interface.yaml maintainer", meta["maintainer"], pub["maintainer"])]
    for entry in entries().values():
        copies.append((f"interfaces/{entry['id']}.json repo", entry["repo"], pub["repo"]))
    for charm in sorted(glob.glob(os.path.join(helpers.ROOT, "examples", "*", "layer.yaml"))):
        charm = os.path.dirname(charm)
        name = os.path.relpath(charm, helpers.ROOT)
        with open(os.path.join(charm, "layer.yaml")) as f:
            copies.append((f"{name}/layer.yaml repo", yaml.safe_load(f)["repo"], pub["repo"]))
        with open(os.path.join(charm, "metadata.yaml")) as f:
            copies.append((f"{name}/metadata.yaml maintainer", yaml.safe_load(f)["maintainer"],
                           pub["maintainer"]))
    assert [c for c in copies if c[1] != c[2]] == []
    # Nowhere else: documentation refers to publishing.yaml instead of repeating them.
    allowed = {"publishing.yaml"} | {name.split(" ")[0] for name, _, _ in copies}
    found = []
    for root, dirs, files in os.walk(helpers.ROOT):
        dirs[:] = [d for d in dirs if not (d.startswith(".") or d in ("build", "__pycache__"))]
        for name in files:
            path = os.path.join(root, name)
            rel = os.path.relpath(path, helpers.ROOT)
            try:
                with open(path, encoding="utf-8") as f:
                    text = f.read()
            except (UnicodeDecodeError, OSError):
                continue
            if rel not in allowed and (pub["repo"] in text or pub["maintainer"] in text):
                found.append(rel)
    assert found == [], "state the repository and maintainer in publishing.yaml only"


@pytest.mark.parametrize("folder", folders())
def test_entry_repo_is_a_git_url_charm_tools_clones(folder):
    from charmtools import fetchers

    entry = entries()[f"{folder[len(PREFIX):]}.json"]
    fetcher = fetchers.get_fetcher(entry["repo"])
    assert type(fetcher).__name__ in ("GithubFetcher", "GitFetcher"), type(fetcher).__name__


def test_placeholder_is_marked_as_such():
    pub = publishing()
    assert isinstance(pub["placeholder"], bool)
    if pub["placeholder"]:
        with open(os.path.join(helpers.ROOT, "publishing.yaml")) as f:
            assert "PLACEHOLDER: no public repository exists yet" in f.read()
        with open(os.path.join(INDEX_DIR, "README.md")) as f:
            assert "Not ready to submit while the repository is a placeholder" in f.read()


def test_charm_build_resolves_every_layer_through_its_entry(tmp_path):
    """An index of these entries, ``repo`` pointed at a local copy of the checkout (the only
    change), no CHARM_INTERFACES_DIR: charm-build must find every layer by id and subdir."""
    copy = str(tmp_path / "interface-layers.git")  # a git repository charm-tools clones
    shutil.copytree(helpers.ROOT, copy, ignore=shutil.ignore_patterns(
        ".git", ".venv*", "build", "__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis"))
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "init.defaultBranch=main"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "copy"]):
        subprocess.run(git + args, cwd=copy, check=True, stdout=subprocess.DEVNULL)
    index = tmp_path / "index" / "interfaces"
    index.mkdir(parents=True)
    for name, entry in entries().items():
        (index / name).write_text(json.dumps(dict(entry, repo="file://" + copy)))
    ids = sorted(entry["id"] for entry in entries().values())
    charm = tmp_path / "src" / "index-charm"
    charm.mkdir(parents=True)
    (charm / "layer.yaml").write_text(yaml.safe_dump({
        "includes": ["layer:basic"] + [f"interface:{i}" for i in ids],
        "repo": "https://example.invalid/index-charm"}))
    names = {entry["id"]: interface_yaml(entry["subdir"])["name"] for entry in entries().values()}
    (charm / "metadata.yaml").write_text(yaml.safe_dump({
        "name": "index-charm", "summary": "s", "description": "d", "tags": ["misc"],
        "maintainer": "m <m@example.invalid>", "series": ["jammy"],
        "requires": {f"ep-{i}": {"interface": names[i]} for i in ids}}))
    empty = tmp_path / "no-local-interfaces"
    empty.mkdir()
    out = str(tmp_path / "build")
    env = jbuild.offline_env(interfaces_dir=str(empty), cache_dir=str(tmp_path / "cache"))
    proc = subprocess.run(
        [jbuild.charm_build_executable(), "--layer-index", f"file://{tmp_path / 'index'}/",
         "--ignore-lock-file", "--no-report", "-o", out, str(charm)],
        env=env, cwd=str(empty), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        timeout=600)
    assert proc.returncode == 0 or 100 <= proc.returncode < 200, proc.stdout
    relations = os.path.join(out, "index-charm", "hooks", "relations")
    assert sorted(os.listdir(relations)) == sorted(names.values())
    for name in names.values():
        assert os.path.exists(os.path.join(relations, name, "requires.py")), name
        assert not os.path.exists(os.path.join(relations, name, "README.md")), name
