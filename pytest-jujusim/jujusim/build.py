"""Build a reactive charm offline with the real charm-build, as docs/building.md says.

``build_charm(src, output_dir)`` runs the documented offline command: the
interface layers come from a checkout of the observability interface layers
(``CHARM_INTERFACES_DIR``: ``find_interfaces_dir()``), ``layer:basic`` from the
offline test stand-in in that checkout's ``tests/offline-layers``
(``CHARM_LAYERS_DIR``: ``find_layers_dir()``), ``--layer-index`` points nowhere so
nothing is fetched, and no usage metrics are sent. The result is for tests
only: the stand-in marks it NOT DEPLOYABLE.

Where the two come from, first found wins:

* the interface layers: ``JUJUSIM_INTERFACES_DIR``; the ``jujusim_interfaces_dir``
  ini option (``plugin.py``); the checkout this package is in (an editable
  install from it); ``interfaces/observability-layers`` of the test run's rootdir
  (the git submodule of docs/building.md);
* the offline layers: ``JUJUSIM_LAYERS_DIR``; the ``jujusim_layers_dir`` ini
  option; ``tests/offline-layers`` of the interface layers' checkout.
"""

import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
#: The environment variables that say where the layers are (they win over the ini options).
INTERFACES_ENV = "JUJUSIM_INTERFACES_DIR"
LAYERS_ENV = "JUJUSIM_LAYERS_DIR"
#: Where the checkout of the layers is in a charm that has it as a git submodule.
SUBMODULE = os.path.join("interfaces", "observability-layers")
#: The offline layers (the test stand-in for ``layer:basic``) inside a checkout.
OFFLINE_LAYERS_IN_CHECKOUT = os.path.join("tests", "offline-layers")


def is_checkout(path):
    """Whether ``path`` is a checkout of the interface layers (interface-*/ and the stand-in)."""
    if not path or not os.path.isdir(os.path.join(path, OFFLINE_LAYERS_IN_CHECKOUT)):
        return False
    return any(name.startswith("interface-") for name in os.listdir(path))


def _checkout_of_package():
    # An editable install (or the source tree): <checkout>/pytest-jujusim/jujusim/.
    top = os.path.dirname(os.path.dirname(HERE))
    return top if is_checkout(top) else None


#: The checkout this package is in (an editable install or the source tree), else None.
CHECKOUT = _checkout_of_package()
#: Where ``layer:basic`` resolves in an offline build of that checkout: the test stand-in.
OFFLINE_LAYERS = os.path.join(CHECKOUT, OFFLINE_LAYERS_IN_CHECKOUT) if CHECKOUT else None

#: The ini options' values, relative to the rootdir (set by the plugin at configure time).
configured = {"interfaces_dir": None, "layers_dir": None, "rootdir": None}


def find_interfaces_dir():
    """The directory charm-build finds ``interface:<name>`` in (``interface-<name>/``)."""
    found = os.environ.get(INTERFACES_ENV) or configured["interfaces_dir"] or CHECKOUT
    if not found and configured["rootdir"]:
        candidate = os.path.join(configured["rootdir"], SUBMODULE)
        found = candidate if os.path.isdir(candidate) else None
    if not found:
        raise BuildFailed(
            "no checkout of the observability interface layers to build with: set "
            f"{INTERFACES_ENV} or the jujusim_interfaces_dir ini option, or have the checkout "
            f"in {SUBMODULE} of the test run's rootdir (docs/testing-your-charm.md)")
    return os.path.abspath(found)


def find_layers_dir():
    """The directory charm-build finds ``layer:<name>`` in: the offline test stand-in."""
    found = os.environ.get(LAYERS_ENV) or configured["layers_dir"]
    if found:
        return os.path.abspath(found)
    return os.path.join(find_interfaces_dir(), OFFLINE_LAYERS_IN_CHECKOUT)


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


def offline_env(interfaces_dir=None, layers_dir=None, cache_dir=None, base=None):
    """The environment of an offline build (``base``: os.environ by default; the layers:
    ``find_interfaces_dir()`` and ``find_layers_dir()`` by default)."""
    env = dict(os.environ if base is None else base)
    env.update({
        "CHARM_INTERFACES_DIR": str(interfaces_dir or find_interfaces_dir()),
        "CHARM_LAYERS_DIR": str(layers_dir or find_layers_dir()),
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


def build_charm(src, output_dir, interfaces_dir=None, layers_dir=None, cache_dir=None, timeout=600):
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
