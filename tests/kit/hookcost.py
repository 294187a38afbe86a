"""Hook-cost benchmark: what each interface layer costs per hook (``make bench``).

A measurement, not a test: nothing here fails on a number. It builds two
charms with the real charm-build:

* ``layers``: the example charm (``examples/observability-demo``), and
* ``baseline``: the same charm, same handlers, same endpoints, built against
  stand-ins of every layer whose ``Endpoint`` subclasses are empty
  (``helpers.stub_layers``): what charms.reactive itself costs.

For each endpoint of the example (every registered layer, two sides; each layer's
cases are in its ``tests/<interface>/hookcost.py``, see ``kit.hookcases``), with 1 to 1,000
related units spread over 1 to 50 relations (one relation for the ``limit: 1``
endpoints), it puts the related units into the simulated model, settles the
charm, then runs one of each hook type (update-status, config-changed,
relation-changed of one unit on one relation, relation-joined and -departed of
a new unit on that relation, leader-elected, upgrade-charm) and records the
hook-tool calls by tool, the ``relation-set`` calls and the wall time of the
hook. Small sizes run the built hook files (``exec``: every tool call a
process, as on a unit); all sizes run in-process (the same hooks through
charms.reactive in this process, tool calls answered without a fork).

It also runs each layer's own timings (``timings`` in its hookcost module:
``ParcaScrapeRequires.jobs()`` against the number of units) and times the import of
every layer into a hook.

Writes ``build/bench.json`` (one record per measurement) and prints tables.
Usage: ``PYTHONPATH=tests python -m kit.hookcost [--out build/bench.json] [--quick]``.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter

from jujusim import state as st
from jujusim.driver import HOSTSHIM_DIR, Unit
from kit import helpers, hookcases

APP = "observability-demo"
#: the example charm's config: what every layer's cases ask for
CONFIG = hookcases.config()


#: endpoint: its ``kit.hookcases.Case``, every registered layer's
ENDPOINTS = hookcases.endpoints()
ONE_RELATION = {ep for ep, case in ENDPOINTS.items() if case.one_relation}

HOOKS = ("update-status", "config-changed", "relation-changed", "relation-joined",
         "relation-departed", "leader-elected", "upgrade-charm")
EXEC_SIZES = ((1, 1),)  # every tool call a process: about 2 s a hook on a small machine
INPROCESS_SIZES = ((1, 1), (10, 1), (10, 5), (100, 1), (100, 10), (1000, 50))
QUICK_SIZES = ((1, 1), (10, 5))
#: spelt-out layer counts for the import row of the last table
COUNT_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
               "ten", "eleven", "twelve")


# --------------------------------------------------------------------------
# Building the two charms
# --------------------------------------------------------------------------

def build_charms(workdir):
    """``{"layers": path, "baseline": path}``: both built by the real charm-build."""
    cache = os.path.join(workdir, "cache")
    stubs = helpers.stub_layers(os.path.join(workdir, "stub-interfaces"))
    return {
        "layers": helpers.build_example(os.path.join(workdir, "layers"), cache),
        "baseline": helpers.build_example(os.path.join(workdir, "baseline"), cache,
                                          interfaces_dir=stubs),
    }


# --------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------

def spread(units, relations):
    """How many units each relation gets: ``units`` over ``relations``, as even as possible."""
    return [units // relations + (1 if r < units % relations else 0) for r in range(relations)]


def populate(unit, endpoint, units, relations):
    """Relate ``endpoint`` to ``relations`` applications with ``units`` units in all, written
    straight into the model (no hooks); returns the relation ids.

    As in Juju, a container-scoped endpoint is a subordinate charm's, and each of its
    relations has one remote unit (its principal's): there, every relation gets one unit,
    whatever ``units`` says."""
    app_data, unit_data = ENDPOINTS[endpoint].app_data, ENDPOINTS[endpoint].unit_data
    rids = []
    container = unit.endpoints[endpoint]["scope"] == "container"
    if container:
        unit.subordinate = True
    for r, count in enumerate([1] * relations if container else spread(units, relations)):
        app = f"remote{r}"
        rid = unit.add_relation(endpoint, app, app_data=app_data(app) if app_data else None)
        key = rid.split(":")[1]

        def add(state, key=key, app=app, count=count, r=r):
            for u in range(count):
                name, address = f"{app}/{u}", f"10.{r}.{u // 250}.{u % 250 + 1}"
                bag = st.juju_address_keys(address)
                if unit_data:
                    bag.update(unit_data(name, address))
                state["relations"][key]["units"][name] = bag

        unit.edit(add)
        rids.append(rid)
    return rids


class TimedUnit(Unit):
    """A ``Unit`` that also records the wall time of each hook (the runner's run only)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.last_seconds = None
        run = self.runner.run

        def timed(*a, **kw):
            start = time.perf_counter()
            try:
                return run(*a, **kw)
            finally:
                self.last_seconds = time.perf_counter() - start

        self.runner.run = timed


def new_unit(workdir, charm_dir, runner):
    if runner == "exec":  # a unit has its own copy of the charm, as on a machine
        charm_dir = shutil.copytree(charm_dir, os.path.join(workdir, "charm"), symlinks=True)
    unit = TimedUnit(workdir, charm_dir, unit=f"{APP}/0", charm_name=APP, runner=runner,
                     config=dict(CONFIG))
    unit.start()
    return unit


def hook_sequence(unit, endpoint, rids):
    """Run one hook of each type; yields ``(hook type, HookResult, seconds)``."""
    rid = rids[0]
    first = sorted(unit.relation(rid)["units"], key=lambda n: int(n.split("/")[1]))[0]
    for hook in ("update-status", "config-changed"):
        yield hook, unit.run_hook(hook), unit.last_seconds
    key = rid.split(":")[1]
    unit.edit(lambda s: s["relations"][key]["units"][first].update({"bench-tick": "1"}))
    yield ("relation-changed", unit.run_hook(f"{endpoint}-relation-changed", rid=rid,
                                             remote_unit=first), unit.last_seconds)
    new = f"{unit.relation(rid)['remote_app']}/9999"
    unit_data = ENDPOINTS[endpoint].unit_data
    if unit.relation(rid)["scope"] == "container":
        # A container-scoped relation has room for no second unit: the new unit is the one
        # of a new principal application (Juju's -created of it runs first).
        rid = unit.add_relation(endpoint, "remote-new")
        key = rid.split(":")[1]  # the new unit joins the new relation
        new = "remote-new/0"
        unit.run_hook(f"{endpoint}-relation-created", rid=rid)

    def join(state):
        bag = st.juju_address_keys("10.250.0.1")
        if unit_data:
            bag.update(unit_data(new, "10.250.0.1"))
        state["relations"][key]["units"][new] = bag

    unit.edit(join)
    yield ("relation-joined", unit.run_hook(f"{endpoint}-relation-joined", rid=rid,
                                            remote_unit=new), unit.last_seconds)
    unit.run_hook(f"{endpoint}-relation-changed", rid=rid, remote_unit=new)
    yield "relation-departed", unit.remove_unit(rid, new), unit.last_seconds
    for hook in ("leader-elected", "upgrade-charm"):
        yield hook, unit.run_hook(hook), unit.last_seconds


def measure(charm, charm_dir, runner, endpoint, units, relations, workdir):
    """The records of one hook sequence on one endpoint at one size."""
    layer, side = ENDPOINTS[endpoint].layer, ENDPOINTS[endpoint].side
    unit = new_unit(workdir, charm_dir, runner)
    rids = populate(unit, endpoint, units, relations)
    unit.run_hook("upgrade-charm")  # the charm catches up with the model...
    unit.run_hook("update-status")  # ...and its handlers settle
    records = []
    for hook, result, seconds in hook_sequence(unit, endpoint, rids):
        if result.error:
            raise RuntimeError(f"{charm} {endpoint} {hook} failed: {result.error}")
        calls = Counter(c["tool"] for c in result.calls)
        records.append({
            "layer": layer, "side": side, "endpoint": endpoint, "charm": charm,
            "runner": runner, "hook": hook, "relations": relations, "units": units,
            "calls": dict(sorted(calls.items())), "total_calls": sum(calls.values()),
            "relation_set": calls.get("relation-set", 0), "seconds": round(seconds, 6),
        })
    return records


# --------------------------------------------------------------------------
# Import time
# --------------------------------------------------------------------------

IMPORT_SCRIPT = """
import importlib, sys, time
sys.path[0:0] = [sys.argv[1]]
import charms.reactive  # noqa: the framework is imported by every hook anyway
start = time.perf_counter()
for name in sys.argv[2:]:
    importlib.import_module(name)
print(time.perf_counter() - start)
"""


def time_imports(charm_dir, workdir, repeat=9):
    """Median seconds to import every layer's provides and requires module in a new process:
    ``(cold, warm)``, compiling the sources (a unit's first hook) and from the bytecode
    Python caches beside them (every later hook)."""
    charm_dir = shutil.copytree(charm_dir, workdir, symlinks=True)
    relations = os.path.join(charm_dir, "hooks", "relations")
    modules = [f"relations.{name}.{role}" for name in sorted(os.listdir(relations))
               if os.path.isdir(os.path.join(relations, name)) and not name.startswith("_")
               for role in ("provides", "requires")]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = HOSTSHIM_DIR
    argv = [sys.executable, "-c", IMPORT_SCRIPT, os.path.join(charm_dir, "hooks")] + modules

    def once(cached):
        extra = {} if cached else {"PYTHONDONTWRITEBYTECODE": "1"}
        out = subprocess.run(argv, check=True, capture_output=True, text=True, cwd=charm_dir,
                             env=dict(env, **extra)).stdout
        return float(out.strip().splitlines()[-1])

    cold = statistics.median(once(False) for _ in range(repeat))
    once(True)  # writes the bytecode
    warm = statistics.median(once(True) for _ in range(repeat))
    return cold, warm


# --------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------

def _index(records):
    return {(r["charm"], r["runner"], r["endpoint"], r["hook"], r["units"], r["relations"]): r
            for r in records if r["hook"] in HOOKS}


def _extra(layers, base):
    """Calls by tool the layers charm made beyond the baseline's (a short string)."""
    tools = sorted(set(layers["calls"]) | set(base["calls"]))
    parts = []
    for tool in tools:
        d = layers["calls"].get(tool, 0) - base["calls"].get(tool, 0)
        if d:
            parts.append(f"{tool} {d:+d}")
    return ", ".join(parts) or "="


def _grid(records, runner, title, cell):
    """One row per endpoint and hook type, one column per size; ``cell(layers, baseline)``
    renders the two records of a cell (a cell missing either is left empty)."""
    idx = _index(records)
    sizes = sorted({(r["units"], r["relations"]) for r in records
                    if r["runner"] == runner and r["hook"] in HOOKS})
    lines = [title, ""]
    lines += ["| layer | side | hook | " + " | ".join(f"{u}u/{r}r" for u, r in sizes) + " |",
              "|" + "---|" * (3 + len(sizes))]
    for endpoint, case in ENDPOINTS.items():
        layer, side = case.layer, case.side
        for hook in HOOKS:
            cells = []
            for units, relations in sizes:
                lay = idx.get(("layers", runner, endpoint, hook, units, relations))
                base = idx.get(("baseline", runner, endpoint, hook, units, relations))
                cells.append(cell(lay, base) if lay and base else "")
            lines.append(f"| {layer} | {side} | {hook} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def calls_table(records, runner):
    """Per hook and size: layers' calls, the baseline's, the difference by tool, and
    relation-set calls."""
    def cell(lay, base):
        text = f"{lay['total_calls']}/{base['total_calls']}"
        extra = _extra(lay, base)
        if extra != "=":
            text += f" ({extra})"
        if lay["relation_set"]:
            text += f" rs={lay['relation_set']}"
        return text

    return _grid(records, runner, f"Hook-tool calls per hook, runner {runner}: layers charm / "
                 "baseline (calls beyond the baseline, by tool; rs = relation-set calls)", cell)


def time_table(records, runner):
    """Wall milliseconds per hook at each size: layers charm / baseline."""
    return _grid(records, runner, f"Wall time per hook, runner {runner}, ms: layers charm / baseline",
                 lambda lay, base: f"{lay['seconds'] * 1000:.0f}/{base['seconds'] * 1000:.0f}")


def other_table(records):
    """The layers' own timings (``timings`` of their hookcost modules) and the import time."""
    titles = [m.TIMINGS_TITLE for m in hookcases.timed_layers()] + ["layer import time"]
    lines = [" and ".join(titles), "",
             "| measurement | units | relations | unit configs | ms |", "|---|---|---|---|---|"]
    for r in records:
        if r["hook"] not in HOOKS and not r["hook"].startswith("import"):
            lines.append(f"| {r['hook']} | {r['units']} | {r['relations']} | "
                         f"{r.get('unit_configs', '')} | {r['seconds'] * 1000:.3f} |")
    layers = len(helpers.layer_dirs())
    count = COUNT_WORDS[layers] if layers < len(COUNT_WORDS) else str(layers)
    for r in records:
        if r["hook"].startswith("import"):
            lines.append(f"| {r['hook']} of all {count} layers, {r['charm']} charm | | | | "
                         f"{r['seconds'] * 1000:.1f} |")
    return "\n".join(lines)


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

def run(out, quick=False, workdir=None, runners=("exec", "inprocess")):
    records = []
    own = workdir is None
    workdir = workdir or tempfile.mkdtemp(prefix="hookcost-")
    try:
        charms = build_charms(os.path.join(workdir, "charms"))
        plans = [("exec", EXEC_SIZES),
                 ("inprocess", QUICK_SIZES if quick else INPROCESS_SIZES)]
        n = 0
        for runner, sizes in plans:
            if runner not in runners:
                continue
            for endpoint in ENDPOINTS:
                done = set()
                for units, relations in sizes:
                    if endpoint in ONE_RELATION:
                        relations = 1
                    if (units, relations) in done:
                        continue
                    done.add((units, relations))
                    for charm, charm_dir in charms.items():
                        n += 1
                        started = time.perf_counter()
                        records += measure(charm, charm_dir, runner, endpoint, units, relations,
                                           os.path.join(workdir, f"run{n}"))
                        _save(out, records)
                        print(f"  {runner:9} {charm:8} {endpoint:20} {units:4}u/{relations:2}r "
                              f"{time.perf_counter() - started:6.1f}s", file=sys.stderr)
        for module in hookcases.timed_layers():
            n += 1
            records += module.timings(sys.modules[__name__], charms["layers"], quick,
                                      os.path.join(workdir, f"run{n}"))
        for charm, charm_dir in charms.items():
            cold, warm = time_imports(charm_dir, os.path.join(workdir, f"import-{charm}"))
            for label, seconds in (("import (compiling)", cold), ("import (cached bytecode)", warm)):
                records.append({"layer": "all", "side": "both", "charm": charm,
                                "runner": "subprocess", "hook": label, "relations": 0,
                                "units": 0, "calls": {}, "seconds": seconds})
    finally:
        if own:
            shutil.rmtree(workdir, ignore_errors=True)
    _save(out, records)
    return records


def _save(out, records):
    """Write the records so far (a long run that stops still leaves its measurements)."""
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w") as f:
        json.dump(records, f, indent=1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=os.path.join(helpers.ROOT, "build", "bench.json"))
    parser.add_argument("--quick", action="store_true", help="small sizes only (a smoke run)")
    parser.add_argument("--runner", action="append", choices=("exec", "inprocess"),
                        help="only this runner (repeatable; default: both)")
    parser.add_argument("--tables-from", metavar="JSON",
                        help="print the tables of an earlier run instead of measuring")
    args = parser.parse_args(argv)
    if args.tables_from:
        with open(args.tables_from) as f:
            records = json.load(f)
    else:
        records = run(args.out, quick=args.quick, runners=args.runner or ("exec", "inprocess"))
        print(f"wrote {args.out} ({len(records)} records)", file=sys.stderr)
    runners = [r for r in ("exec", "inprocess")
               if any(x["runner"] == r and x["hook"] in HOOKS for x in records)]
    for runner in runners:
        print(calls_table(records, runner) + "\n")
    for runner in runners:
        print(time_table(records, runner) + "\n")
    print(other_table(records))


if __name__ == "__main__":
    main()
