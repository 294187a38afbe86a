"""Paths and small helpers shared by the test modules."""

import os
import re
import shutil
import subprocess
import sys

import yaml

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


def assemble_charm(dest, with_handlers=False, layers_root=ROOT):
    """An unbuilt charm for in-process tests: the example's metadata, every layer of
    ``layers_root`` in ``hooks/relations/<name>/`` as charm-build lays it out, and
    (optionally) the example's handlers."""
    os.makedirs(os.path.join(dest, "hooks", "relations"))
    for name in ("metadata.yaml", "config.yaml"):
        shutil.copy(os.path.join(EXAMPLE, name), dest)
    reactive = os.path.join(dest, "reactive")
    if with_handlers:
        shutil.copytree(os.path.join(EXAMPLE, "reactive"), reactive)
    else:
        os.makedirs(reactive)
    for name, src in layer_dirs(layers_root).items():
        target = os.path.join(dest, "hooks", "relations", name)
        shutil.copytree(src, target, ignore=shutil.ignore_patterns(
            "__pycache__", "docs", "README.md"))
        init = os.path.join(target, "__init__.py")
        if not os.path.exists(init):
            open(init, "w").close()
    return dest


def charm_build_env(cache_dir, interfaces_dir=ROOT):
    """Environment for an offline charm-build of the example charm."""
    env = dict(os.environ)
    env.update({
        "CHARM_INTERFACES_DIR": interfaces_dir,
        "CHARM_LAYERS_DIR": OFFLINE_LAYERS,
        "CHARM_HIDE_METRICS": "1",
        "CHARM_CACHE_DIR": cache_dir,
    })
    return env


def build_example(output_dir, cache_dir, interfaces_dir=ROOT):
    """Build the example charm with the real charm-build; returns the built charm's path.

    ``interfaces_dir`` is where ``interface:<name>`` resolves (``stub_layers`` makes
    one whose layers do nothing: the framework-only baseline)."""
    charm_build = os.path.join(os.path.dirname(sys.executable), "charm-build")
    proc = subprocess.run(
        [charm_build, "--layer-index", "file:///nonexistent/", "--no-report",
         "--ignore-lock-file", "-o", output_dir, EXAMPLE],
        env=charm_build_env(cache_dir, interfaces_dir), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, timeout=600)
    if proc.returncode:
        raise RuntimeError("charm-build failed:\n" + proc.stdout)
    return os.path.join(output_dir, "observability-demo")


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
