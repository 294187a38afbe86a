"""grafana_dashboard's hook-cost cases (``kit.hookcases``): ``make bench`` and the call-count
tests (``crosslayer/test_hook_cost.py``), and the bench's timing of a charm that ships 20
dashboards of 100 KB.

The timing publishes that charm's dashboards from a unit of its own: the seconds of the
first ``publish()`` hook (every file read and compressed once), then of a hook in which
the charm calls ``publish()`` again with no file changed (a stat per file: no file read,
nothing compressed, nothing written), of one in which one file changed, and of a
``config-changed`` after it.
"""

import json
import os
import random
import time

from grafana_dashboard.support import bag, template
from kit import helpers
from kit.hookcases import Case

ENDPOINTS = {
    "grafana-dashboard": Case(
        "grafana_dashboard", "provides",
        publish=lambda e: e.add_dashboard('{"title": "Bench", "uid": "bench"}'),
        flat_in_units=True),
    "dashboards": Case(
        "grafana_dashboard", "requires",
        app_data=lambda app: bag({"file:overview": template(
            {"title": f"{app} overview", "uid": f"{app}-overview", "version": 1,
             "panels": [{"type": "graph", "datasource": "${prometheusds}",
                         "targets": [{"expr": "up"}]}]}, charm=app)}),
        flat_in_units=True),
}

TIMINGS_TITLE = "GrafanaDashboardProvides.publish() of 20 dashboards of 100 KB"
DASHBOARDS, DASHBOARD_BYTES = 20, 100_000
#: the files' modification time: long before the hooks (files that ship with the charm)
SHIPPED_MTIME = 1_700_000_000


def charm_files(rng):
    """``{path: text}``: the dashboards of the measured charm."""
    files = {}
    for i in range(DASHBOARDS):
        panels = []
        while len(json.dumps(panels)) < DASHBOARD_BYTES:
            panels.append({"type": "timeseries", "title": f"panel {rng.randrange(10 ** 6)}",
                           "datasource": "${prometheusds}",
                           "targets": [{"expr": f"rate(metric_{rng.randrange(10 ** 9)}[5m])"}],
                           "gridPos": {"x": rng.randrange(24), "y": rng.randrange(200)}})
        files[f"src/grafana_dashboards/d{i:02}.json"] = json.dumps(
            {"title": f"Dashboard {i}", "panels": panels})
    return files


def write_files(charm, files, mtime=SHIPPED_MTIME):
    """Write ``files`` into ``charm``, each modified at ``mtime`` (None: now)."""
    for path, text in files.items():
        full = os.path.join(charm, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write(text)
        if mtime is not None:
            os.utime(full, (mtime, mtime))


def charm_with_dashboards(workdir):
    """A charm with the layers (no handlers) and the 20 dashboards; returns its path."""
    charm = helpers.assemble_charm(os.path.join(workdir, "charm", "observability-demo"))
    write_files(charm, charm_files(random.Random(20261202)))
    return charm


def timings(bench, charm_dir, quick, workdir):
    """Records of the first ``publish()`` hook, an unchanged one, one with a changed file,
    and a config-changed, with the relation-set calls of each (only the first and the
    changed one write)."""
    charm = charm_with_dashboards(workdir)
    unit = bench.new_unit(os.path.join(workdir, "unit"), charm, "inprocess")
    rid = unit.relate("grafana-dashboard", "grafana", units=1)
    call = {}

    def publish(endpoint_from_name):
        start = time.perf_counter()
        endpoint_from_name("grafana-dashboard").publish()
        call["seconds"] = time.perf_counter() - start

    records = []
    base = {"layer": "grafana_dashboard", "side": "provides", "charm": "layers only",
            "runner": "inprocess", "relations": 1, "units": 1, "calls": {}}

    def run(label, hook="update-status", action=publish):
        result = unit.run_hook(hook, action=action)
        records.append(dict(base, hook=f"{label} ({len(result.relation_sets)} relation-set)",
                            seconds=unit.last_seconds,
                            bytes=len(unit.local_app_data(rid).get("dashboards", ""))))

    run(f"publish() of {DASHBOARDS} dashboards of 100 KB: first, every file read")
    run("publish() again, no file changed (a stat each)")
    path = os.path.join(charm, "src/grafana_dashboards/d00.json")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    write_files(charm, {"src/grafana_dashboards/d00.json": text.replace("Dashboard 0",
                                                                        "Dashboard zero")})
    run("publish() again, one file changed")
    run("then config-changed (files unchanged)", hook="config-changed", action=None)
    return records
