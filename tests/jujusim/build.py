"""Build a reactive charm offline with the real charm-build, as docs/building.md says.

``build_charm(src, output_dir)`` runs the documented offline command: the
interface layers come from a checkout of this repository
(``CHARM_INTERFACES_DIR``), ``layer:basic`` from the offline test stand-in in
``tests/offline-layers`` (``CHARM_LAYERS_DIR``), ``--layer-index`` points
nowhere so nothing is fetched, and no usage metrics are sent. The result is
for tests only: the stand-in marks it NOT DEPLOYABLE.
"""

import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
#: The checkout this package belongs to (its top directory holds the interface-*/ layers).
CHECKOUT = os.path.dirname(os.path.dirname(HERE))
#: Where ``layer:basic`` resolves in an offline build: the test stand-in.
OFFLINE_LAYERS = os.path.join(CHECKOUT, "tests", "offline-layers")
#: The options of every offline build (docs/building.md explains each).
OFFLINE_OPTIONS = ("--layer-index", "file:///nonexistent/", "--ignore-lock-file", "--no-report")


class BuildFailed(RuntimeError):
    """charm-build exited with an error; the message carries its output."""


class Built(str):
    """The built charm's directory (a ``str``), with charm-build's output as ``.log``."""

    log = ""


def charm_build_executable():
    """charm-build of the running Python's environment, else the one on PATH."""
    beside = os.path.join(os.path.dirname(sys.executable), "charm-build")
    found = beside if os.path.exists(beside) else shutil.which("charm-build")
    if not found:
        raise BuildFailed("charm-build not found: pip install charm-tools (see docs/building.md)")
    return found


def offline_env(interfaces_dir=CHECKOUT, layers_dir=OFFLINE_LAYERS, cache_dir=None, base=None):
    """The environment of an offline build (``base``: os.environ by default)."""
    env = dict(os.environ if base is None else base)
    env.update({
        "CHARM_INTERFACES_DIR": str(interfaces_dir),
        "CHARM_LAYERS_DIR": str(layers_dir),
        "CHARM_HIDE_METRICS": "1",
    })
    if cache_dir:
        env["CHARM_CACHE_DIR"] = str(cache_dir)
    return env


def charm_name(src):
    """The ``name`` in the charm layer's metadata.yaml: the built charm's directory name."""
    import yaml

    with open(os.path.join(src, "metadata.yaml")) as f:
        return yaml.safe_load(f)["name"]


def build_charm(src, output_dir, interfaces_dir=CHECKOUT, layers_dir=OFFLINE_LAYERS,
                cache_dir=None, timeout=600):
    """Build the charm layer ``src`` into ``output_dir``; returns the built charm (``Built``).

    ``output_dir`` and ``cache_dir`` (default: beside ``output_dir``) must not be
    inside ``src``; charm-build refuses that. An exit status of 100 to 199 (the
    built charm has ``charm proof`` warnings) is a build, as for charmcraft's
    reactive plugin; ``.log`` has the warnings.
    """
    output_dir = os.path.abspath(str(output_dir))
    cache_dir = cache_dir or os.path.join(os.path.dirname(output_dir), ".charm-cache")
    proc = subprocess.run(
        [charm_build_executable(), *OFFLINE_OPTIONS, "-o", output_dir, str(src)],
        env=offline_env(interfaces_dir, layers_dir, cache_dir), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, timeout=timeout)
    if proc.returncode and not 100 <= proc.returncode < 200:
        raise BuildFailed(f"charm-build failed ({proc.returncode}):\n{proc.stdout}")
    built = Built(os.path.join(output_dir, charm_name(src)))
    built.log = proc.stdout
    return built
