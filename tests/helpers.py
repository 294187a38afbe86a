"""Paths and small helpers shared by the test modules."""

import os
import shutil
import subprocess
import sys

import yaml

TESTS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TESTS)
EXAMPLE = os.path.join(ROOT, "examples", "observability-demo")
OFFLINE_LAYERS = os.path.join(TESTS, "offline-layers")


def layer_dirs():
    """``{interface name: layer directory}`` for every interface layer in the repository."""
    out = {}
    for entry in sorted(os.listdir(ROOT)):
        path = os.path.join(ROOT, entry)
        meta = os.path.join(path, "interface.yaml")
        if entry.startswith("interface-") and os.path.exists(meta):
            with open(meta) as f:
                out[yaml.safe_load(f)["name"]] = path
    return out


def assemble_charm(dest, with_handlers=False):
    """An unbuilt charm for in-process tests: the example's metadata, every layer in
    ``hooks/relations/<name>/`` as charm-build lays it out, and (optionally) the
    example's handlers."""
    os.makedirs(os.path.join(dest, "hooks", "relations"))
    for name in ("metadata.yaml", "config.yaml"):
        shutil.copy(os.path.join(EXAMPLE, name), dest)
    reactive = os.path.join(dest, "reactive")
    if with_handlers:
        shutil.copytree(os.path.join(EXAMPLE, "reactive"), reactive)
    else:
        os.makedirs(reactive)
    for name, src in layer_dirs().items():
        target = os.path.join(dest, "hooks", "relations", name)
        shutil.copytree(src, target, ignore=shutil.ignore_patterns(
            "__pycache__", "docs", "README.md"))
        init = os.path.join(target, "__init__.py")
        if not os.path.exists(init):
            open(init, "w").close()
    return dest


def charm_build_env(cache_dir):
    """Environment for an offline charm-build of the example charm."""
    env = dict(os.environ)
    env.update({
        "CHARM_INTERFACES_DIR": ROOT,
        "CHARM_LAYERS_DIR": OFFLINE_LAYERS,
        "CHARM_HIDE_METRICS": "1",
        "CHARM_CACHE_DIR": cache_dir,
    })
    return env


def build_example(output_dir, cache_dir):
    """Build the example charm with the real charm-build; returns the built charm's path."""
    charm_build = os.path.join(os.path.dirname(sys.executable), "charm-build")
    proc = subprocess.run(
        [charm_build, "--layer-index", "file:///nonexistent/", "--no-report",
         "--ignore-lock-file", "-o", output_dir, EXAMPLE],
        env=charm_build_env(cache_dir), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, timeout=600)
    if proc.returncode:
        raise RuntimeError("charm-build failed:\n" + proc.stdout)
    return os.path.join(output_dir, "observability-demo")
