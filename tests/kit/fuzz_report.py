"""Counts of the fuzz tests, and the table ``make fuzz`` prints.

``counted(layer, side)`` wraps one example of a property: it counts the
example and, when an assertion or an exception escapes it, a failure
(Hypothesis replays failing examples while it shrinks them, and those
replays count too). Loaded as a pytest plugin (``-p kit.fuzz_report``), this
module prints the table at the end of the run: layer, side, examples tried,
failures and the Hypothesis seed, and writes it to ``$FUZZ_TABLE`` and the
counts as JSON to ``$FUZZ_COUNTS`` when those are set.

``PYTHONPATH=tests python -m kit.fuzz_report SEED COUNTS.json...`` prints the table of
several runs together (``make fuzz`` runs the properties in parallel processes: with
``--hypothesis-seed``, each property draws the same examples whichever
process runs it, so the merged table is that of one run).
``python -m kit.fuzz_report --groups N [LAYER...]`` prints how ``make fuzz`` spreads the
registered layers' fuzz properties (or those of the LAYERs named: ``FUZZ_LAYERS``) over N
processes: one line per process, its test files joined by commas.
"""

import contextlib
import glob
import json
import os
import sys

from registry import LAYERS

#: {(layer, side): {"tried": n, "failures": n}}
FUZZ_STATS = {}


@contextlib.contextmanager
def counted(layer, side):
    """Count one example of the ``layer``/``side`` property and whether it failed."""
    stats = FUZZ_STATS.setdefault((layer, side), {"tried": 0, "failures": 0})
    stats["tried"] += 1
    try:
        yield
    except BaseException:
        stats["failures"] += 1
        raise


def table(seed):
    """The table as text lines, in layer then side order."""
    rows = [("layer", "side", "examples tried", "failures", "seed")]
    for (layer, side), stats in sorted(FUZZ_STATS.items(), key=lambda kv: (kv[0][0], kv[0][1] != "requires")):
        rows.append((layer, side, f"{stats['tried']:,}", str(stats["failures"]), str(seed)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [" | ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return lines


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not FUZZ_STATS:
        return
    seed = config.getoption("hypothesis_seed", None) or "random (see failures)"
    terminalreporter.section("fuzz")
    for line in table(seed):
        terminalreporter.write_line(line)
    path = os.environ.get("FUZZ_TABLE")
    if path:
        with open(path, "w") as f:
            f.write("\n".join(table(seed)) + "\n")
    path = os.environ.get("FUZZ_COUNTS")
    if path:
        with open(path, "w") as f:
            json.dump([[layer, side, stats] for (layer, side), stats in FUZZ_STATS.items()], f)


def merge(paths):
    """Add the counts written by several runs (``FUZZ_COUNTS``) into ``FUZZ_STATS``."""
    for path in paths:
        with open(path) as f:
            for layer, side, stats in json.load(f):
                total = FUZZ_STATS.setdefault((layer, side), {"tried": 0, "failures": 0})
                total["tried"] += stats["tried"]
                total["failures"] += stats["failures"]


def fuzz_files(interface):
    """A layer's fuzz property files, ``tests/<interface>/test_fuzz*.py`` (``test_fuzz.py``
    and any more, such as parca_scrape's ``test_fuzz_exact.py``), sorted."""
    tests = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return sorted(os.path.join("tests", interface, os.path.basename(path))
                  for path in glob.glob(os.path.join(tests, interface, "test_fuzz*.py")))


def groups(processes, only=()):
    """The registered layers' fuzz property files (``fuzz_files``) in ``processes`` groups
    (layer ``i`` in group ``i % processes``), empty groups left out; ``only``: just those
    layers (interface names), still in registry order."""
    unknown = set(only) - set(LAYERS)
    if unknown:
        raise SystemExit(f"FUZZ_LAYERS: not registered layers: {sorted(unknown)}")
    chosen = [interface for interface in LAYERS if not only or interface in only]
    out = [[] for _ in range(max(1, processes))]
    for i, interface in enumerate(chosen):
        out[i % len(out)].extend(fuzz_files(interface))
    return [group for group in out if group]


if __name__ == "__main__":
    if sys.argv[1] == "--groups":
        print("\n".join(",".join(group) for group in groups(int(sys.argv[2]), sys.argv[3:])))
    else:
        merge(sys.argv[2:])
        print("\n".join(table(sys.argv[1])))
