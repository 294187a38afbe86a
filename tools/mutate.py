"""Mutation figures of the layers' wire code: ``make mutate`` (not part of ``make test`` or CI).

Usage: ``python tools/mutate.py [--sample N] [--seed S] [--tests CMD] TARGET...``, a TARGET
being an interface name of ``tests/registry.py`` (its own modules: every ``.py`` not vendored
from ``layerlib/``), ``layerlib`` (the shared modules, vendored into the layers before each
test run), or ``named`` (the hand-written mutants below that generic operators do not make).

The mutation tester is cosmic-ray (PyPI, pinned in requirements.txt as a test-only
dependency). It suits this repository: a layer is a directory of modules that the tests copy
into a charm, not an importable package, and cosmic-ray simply rewrites the file on disk and
runs a shell command (mutmut 3 wants a package it can copy to ``mutants/`` and import through
its trampolines). Every target runs in a copy of the work tree (``build/mutate/<target>/tree``),
so the work tree itself is never mutated, even by an interrupted run.

A mutant is killed when its test command fails. The command is the layer's own fast tests:
the contract cases of that interface first (``tests/crosslayer/test_contract.py -k
<interface>``), then ``tests/<interface>/``, each with ``-x``; ``--tests`` replaces it
(``{python}`` and ``{interface}`` are filled in). ``--sample N`` runs N mutants per target,
drawn with ``--seed`` (the others are marked skipped and counted apart), for a run that fits
a shared machine; ``--count-only`` makes and counts the mutants without running any.
Results: ``build/mutate/<target>/session.sqlite`` (cosmic-ray's), the
survivors with their diffs in ``build/mutate/<target>/survivors.txt``, and one table row per
target on stdout and in ``build/mutate/table.md`` (docs/testing.md holds the figures of the
last recorded run and what each survivor means).
"""

import argparse
import os
import random
import re
import shlex
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))

import registry  # noqa: E402  (tests/registry.py: the layers, in order)

OUT = os.path.join(ROOT, "build", "mutate")
PYTHON = sys.executable
PYTEST = "{python} -m pytest -x -q -p no:cacheprovider -rf"
LAYER_TESTS = (PYTEST + " tests/crosslayer/test_contract.py -k {interface} && "
               + PYTEST + " tests/{interface}")
#: layerlib is vendored into the layers: copy the mutated module in, then the tests of the
#: shared URL code (every layer's copy, and against pydantic), every layer's contract cases
#: and its flags and unpublish() checks
LAYERLIB_TESTS = ("{python} tools/vendor.py > /dev/null && "
                  + PYTEST + " tests/crosslayer/test_urls.py tests/crosslayer/test_urls_differential.py"
                  " tests/crosslayer/test_contract.py tests/crosslayer/test_flags_and_retract.py")

#: Mutants cosmic-ray's operators do not make (it has no string or call-argument operators),
#: which passed every cos_agent and contract test before project issue 19: (interface, file,
#: what, anchor, old text, new text). The first ``old`` after ``anchor`` is replaced; a
#: mutant whose text is no longer in the file is reported, not skipped.
NAMED = [
    ("cos_agent", "interface-cos-agent/common.py", "config JSON with spaces, not compact separators",
     "def encode_config(", 'separators=(",", ":")', 'separators=(", ", ": ")'),
    ("cos_agent", "interface-cos-agent/common.py", "LZMA preset 6 instead of 3",
     "def compress(", "preset=3", "preset=6"),
    ("cos_agent", "interface-cos-agent/common.py", "dashboards in reverse order",
     "def read_dashboards(", "    return out\n", "    return out[::-1]\n"),
    ("cos_agent", "interface-cos-agent/common.py", '"subordinate": null dropped',
     "def provider_config(", '        "subordinate": None,\n', ""),
]


def layer_dir(interface):
    """The directory of the layer whose ``interface.yaml`` names ``interface`` (the
    grafana_dashboard layer is ``interface-cos-grafana-dashboard``)."""
    import yaml

    for entry in sorted(os.listdir(ROOT)):
        meta = os.path.join(ROOT, entry, "interface.yaml")
        if entry.startswith("interface-") and os.path.exists(meta):
            with open(meta) as f:
                if yaml.safe_load(f).get("name") == interface:
                    return entry
    raise SystemExit(f"mutate: no layer for interface {interface!r}")


def copy_tree(dest):
    """A copy of the work tree at ``dest`` (no build output, no caches; the venv symlinked)."""
    if os.path.exists(dest):
        shutil.rmtree(dest)
    shutil.copytree(ROOT, dest, symlinks=True, ignore=shutil.ignore_patterns(
        "build", ".git", "__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis", "mutants"))


def modules_of(target):
    if target == "layerlib":
        return sorted(os.path.join("layerlib", n) for n in os.listdir(os.path.join(ROOT, "layerlib"))
                      if n.endswith(".py"))
    # the layer's own modules: every one not vendored from layerlib/ (that is target layerlib)
    layer, shared = layer_dir(target), set(os.listdir(os.path.join(ROOT, "layerlib")))
    return sorted(os.path.join(layer, n) for n in os.listdir(os.path.join(ROOT, layer))
                  if n.endswith(".py") and n not in shared)


def write_config(path, modules, command, timeout):
    with open(path, "w") as f:
        f.write("[cosmic-ray]\n")
        f.write("module-path = [{}]\n".format(", ".join(toml_string(m) for m in modules)))
        f.write(f"timeout = {timeout:.1f}\n")
        f.write("excluded-modules = []\n")
        f.write(f"test-command = {toml_string(command)}\n")
        f.write('\n[cosmic-ray.distributor]\nname = "local"\n')


def toml_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def sample(session, n, seed):
    """Mark all but ``n`` mutants (drawn with ``seed``) of ``session`` skipped."""
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    with use_db(session, WorkDB.Mode.open) as db:
        jobs = sorted(item.job_id for item in db.pending_work_items)
        keep = set(random.Random(seed).sample(jobs, min(n, len(jobs))))
        skip = [j for j in jobs if j not in keep]
        if skip:
            db.set_multiple_results(skip, WorkResult(worker_outcome=WorkerOutcome.SKIPPED,
                                                     output="not in the sample"))


def figures(session):
    """``(made, run, killed, survived, other, survivors)`` of a session; ``survivors`` are
    ``(file:line, operator, diff)``."""
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import TestOutcome, WorkerOutcome

    made = run = killed = survived = other = 0
    survivors = []
    with use_db(session, WorkDB.Mode.open) as db:
        made = db.num_work_items
        for item, result in db.completed_work_items:
            if result.worker_outcome == WorkerOutcome.SKIPPED:
                continue
            run += 1
            if result.test_outcome == TestOutcome.KILLED:
                killed += 1
            elif result.test_outcome == TestOutcome.SURVIVED:
                survived += 1
                m = item.mutations[0]
                survivors.append((f"{m.module_path}:{m.start_pos[0]}", m.operator_name,
                                  result.diff or ""))
            else:
                other += 1
    return made, run, killed, survived, other, survivors


def run_target(target, args):
    work = os.path.join(OUT, target)
    tree = os.path.join(work, "tree")
    os.makedirs(work, exist_ok=True)
    copy_tree(tree)
    command = args.tests or (LAYERLIB_TESTS if target == "layerlib" else LAYER_TESTS)
    command = command.format(python=PYTHON, interface=target)
    config = os.path.join(work, "config.toml")
    session = os.path.join(work, "session.sqlite")
    if os.path.exists(session):
        os.remove(session)
    # cosmic-ray runs its test command with shlex.split, not a shell: without "sh -c" the
    # "&&" and ">" of the command were arguments of its first program (pytest failed on them
    # with a usage error, so every mutant counted as killed; vendor.py ignored them, so every
    # layerlib mutant survived)
    write_config(config, modules_of(target), "sh -c " + shlex.quote(command), args.timeout)
    if not args.count_only:
        # the baseline: the unmutated copy passes, or every mutant would count as killed
        if subprocess.run(command, shell=True, cwd=tree, capture_output=True).returncode:
            raise SystemExit(f"{target}: the tests fail without a mutant: {command}")
    cr = [os.path.join(os.path.dirname(PYTHON), "cosmic-ray")]
    subprocess.run(cr + ["init", config, session], cwd=tree, check=True)
    if args.sample:
        sample(session, args.sample, args.seed)
    if not args.count_only:
        subprocess.run(cr + ["exec", config, session], cwd=tree, check=True)
    made, run, killed, survived, other, survivors = figures(session)
    with open(os.path.join(work, "survivors.txt"), "w") as f:
        for where, operator, diff in survivors:
            f.write(f"== {where} {operator}\n{diff}\n")
    return f"| {target} | {made} | {run} | {killed} | {survived} | {other} |"


def run_named(args):
    """Apply each named mutant to a fresh copy of the tree and run its layer's tests: killed
    when they fail (the first failing test is reported)."""
    rows = []
    for interface, path, what, anchor, old, new in NAMED:
        tree = os.path.join(OUT, "named", "tree")
        copy_tree(tree)
        full = os.path.join(tree, path)
        with open(full) as f:
            text = f.read()
        at = text.find(anchor)
        i = text.find(old, at) if at >= 0 else -1
        if i < 0:
            rows.append(f"| {what} | {path} | NOT APPLIED: the code changed; update tools/mutate.py |")
            continue
        with open(full, "w") as f:
            f.write(text[:i] + new + text[i + len(old):])
        command = (args.tests or LAYER_TESTS).format(python=PYTHON, interface=interface)
        proc = subprocess.run(command, shell=True, cwd=tree, capture_output=True, text=True)
        failed = re.findall(r"^FAILED (.+?)(?: - .*)?$", proc.stdout, re.M)
        verdict = ("killed by " + failed[0]) if proc.returncode and failed else (
            "SURVIVED" if proc.returncode == 0 else f"killed (exit {proc.returncode})")
        rows.append(f"| {what} | {path} | {verdict} |")
        print(rows[-1], flush=True)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("targets", nargs="*")
    parser.add_argument("--sample", type=int, default=0)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--tests", default=None)
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--count-only", action="store_true",
                        help="make the mutants and count them, run none")
    args = parser.parse_args(argv)
    targets = args.targets or ["named"] + list(registry.LAYERS) + ["layerlib"]
    unknown = set(targets) - set(registry.LAYERS) - {"layerlib", "named"}
    if unknown:
        parser.error(f"unknown targets: {sorted(unknown)}")
    os.makedirs(OUT, exist_ok=True)
    table = ["| target | mutants made | run | killed | survived | other (timeout, incompetent) |",
             "|---|---|---|---|---|---|"]
    named = []
    for target in targets:
        if target == "named":
            named = run_named(args)
        else:
            table.append(run_target(target, args))
            print(table[-1], flush=True)
    lines = table + ([""] if named else []) + (
        ["| named mutant | file | verdict |", "|---|---|---|"] + named if named else [])
    with open(os.path.join(OUT, "table.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 1 if any("SURVIVED" in r or "NOT APPLIED" in r for r in named) else 0


if __name__ == "__main__":
    sys.exit(main())
