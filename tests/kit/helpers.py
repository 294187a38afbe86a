"""Paths and small helpers shared by the test modules."""

import os
import re
import shutil

import yaml

from jujusim.build import build_charm

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(TESTS)
EXAMPLE = os.path.join(ROOT, "examples", "observability-demo")
OFFLINE_LAYERS = os.path.join(TESTS, "offline-layers")


def layer_dirs(root=ROOT):
    """``{interface name: layer directory}`` for every interface layer in ``root`` (the
    repository by default)."""
    out = {}
    for entry in sorted(os.listdir(root)):
        path = os.path.join(root, entry)
        meta = os.path.join(path, "interface.yaml")
        if entry.startswith("interface-") and os.path.exists(meta):
            with open(meta) as f:
                out[yaml.safe_load(f)["name"]] = path
    return out


def assemble_charm(dest, with_handlers=False, layers_root=ROOT, only=None):
    """An unbuilt charm for in-process tests: the example's metadata, every layer of
    ``layers_root`` in ``hooks/relations/<name>/`` as charm-build lays it out, and
    (optionally) the example's handlers. ``only`` (an interface name): that layer alone,
    and in ``metadata.yaml`` only the endpoints of that interface (and any peers), as a
    charm that includes just that layer has them."""
    os.makedirs(os.path.join(dest, "hooks", "relations"))
    for name in ("metadata.yaml", "config.yaml"):
        shutil.copy(os.path.join(EXAMPLE, name), dest)
    layers = layer_dirs(layers_root)
    if only is not None:
        if with_handlers:
            raise ValueError("the example's handlers need every layer")
        layers = {only: layers[only]}
        path = os.path.join(dest, "metadata.yaml")
        with open(path) as f:
            meta = yaml.safe_load(f)
        for role in ("provides", "requires"):
            meta[role] = {endpoint: spec for endpoint, spec in (meta.get(role) or {}).items()
                          if spec.get("interface") == only}
        with open(path, "w") as f:
            yaml.safe_dump(meta, f, sort_keys=False)
    reactive = os.path.join(dest, "reactive")
    if with_handlers:
        shutil.copytree(os.path.join(EXAMPLE, "reactive"), reactive)
    else:
        os.makedirs(reactive)
    for name, src in layers.items():
        target = os.path.join(dest, "hooks", "relations", name)
        shutil.copytree(src, target, ignore=shutil.ignore_patterns(
            "__pycache__", "docs", "README.md"))
        init = os.path.join(target, "__init__.py")
        if not os.path.exists(init):
            open(init, "w").close()
    return dest


def build_example(output_dir, cache_dir, interfaces_dir=ROOT):
    """Build the example charm with the real charm-build, offline, as the harness builds a
    charm (``jujusim.build.build_charm``, docs/building.md); returns the built charm's path.

    ``interfaces_dir`` is where ``interface:<name>`` resolves (``stub_layers`` makes
    one whose layers do nothing: the framework-only baseline)."""
    return build_charm(EXAMPLE, output_dir, interfaces_dir=interfaces_dir, cache_dir=cache_dir)


def stub_layers(dest):
    """A directory of stand-ins for every interface layer: the same ``interface.yaml``
    and class names, but each ``Endpoint`` subclass empty. A charm built or assembled
    from it costs what charms.reactive itself costs: the baseline of the hook-cost
    benchmark and of the call-count tests. Returns ``dest``."""
    for name, src in layer_dirs().items():
        target = os.path.join(dest, os.path.basename(src))
        os.makedirs(target)
        shutil.copy(os.path.join(src, "interface.yaml"), target)
        for role in ("provides", "requires"):
            with open(os.path.join(src, f"{role}.py")) as f:
                cls = re.search(r"^class (\w+)\((?:\w+, )*Endpoint\):", f.read(), re.M).group(1)
            with open(os.path.join(target, f"{role}.py"), "w") as f:
                f.write(f'"""Baseline stand-in for {name} {role}: no behaviour."""\n\n'
                        "from charms.reactive import Endpoint\n\n\n"
                        f"class {cls}(Endpoint):\n    pass\n")
    return dest


#: What a copy of the checkout leaves out: what a fresh clone does not have.
NOT_IN_A_CLONE = shutil.ignore_patterns(".git", ".venv*", "build", "__pycache__", ".pytest_cache",
                                        ".ruff_cache", ".hypothesis", "*.pyc", "*.egg-info")
AUTHOR_CHARM = os.path.join(ROOT, "examples", "author-charm")
#: Where a charm keeps its checkout of the layers (docs/building.md: the git submodule).
SUBMODULE = "interfaces/observability-layers"


def copy_checkout(dest):
    """A copy of this checkout as a fresh clone has it (no .git, venvs, build output)."""
    shutil.copytree(ROOT, dest, ignore=NOT_IN_A_CLONE, symlinks=True)
    return dest


def author_charm_with_checkout(parent, src=AUTHOR_CHARM):
    """``src`` (examples/author-charm) copied into ``parent``, with a copy of this checkout in
    its ``interfaces/observability-layers``, as a charm with the submodule has it."""
    charm = os.path.join(str(parent), os.path.basename(src))
    shutil.copytree(src, charm, ignore=NOT_IN_A_CLONE)
    copy_checkout(os.path.join(charm, SUBMODULE))
    return charm
