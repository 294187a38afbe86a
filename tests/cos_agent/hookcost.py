"""cos_agent's hook-cost cases (``kit.hookcases``): ``make bench`` and the call-count tests
(``crosslayer/test_hook_cost.py``), and the bench's timing of a principal that ships 50
rules files and 20 dashboards of 100 KB.

The timing publishes that charm's files from two units of their own: the seconds of the
``publish()`` hook, the bytes of ``config`` written, whether the decoded ``config`` is the
same from both (the bytes may differ only where compression differs: they do not), and
what a ``config-changed`` and an ``update-status`` cost afterwards.
"""

import json
import os
import random
import time

from cos_agent.adapter import comparable_config, decode_config
from kit import helpers
from kit.hookcases import Case

CONFIG_VALUE = json.dumps({
    "metrics_alert_rules": {"groups": [{"name": "g", "rules": [{"alert": "A", "expr": "up < 1"}]}]},
    "log_alert_rules": {}, "dashboards": [], "log_slots": ["workload:logs"],
    "metrics_scrape_jobs": [{"job_name": "w_default_1",
                             "static_configs": [{"targets": ["localhost:9100"]}]}],
    "tracing_protocols": ["otlp_http"]})

ENDPOINTS = {
    "cos-agent": Case(
        "cos_agent", "provides", one_relation=True,  # `limit: 1` in the example's metadata
        publish=lambda e: e.publish(metrics_endpoints=[{"path": "/metrics", "port": 9100}],
                                    log_slots=["observability-demo:logs"],
                                    tracing_protocols=["otlp_http"]),
        flat_in_units=True),
    "cos-agent-collector": Case(
        "cos_agent", "requires",
        unit_data=lambda name, address: {"config": CONFIG_VALUE}),
}

TIMINGS_TITLE = "CosAgentProvides.publish() of 50 rules files and 20 dashboards of 100 KB"
RULE_FILES, DASHBOARDS, DASHBOARD_BYTES = 50, 20, 100_000


def charm_files(rng):
    """``{path: text}``: the rules files and dashboards of the measured principal."""
    files = {}
    for i in range(RULE_FILES):
        rules = "".join(f"      - alert: Alert{i}_{j}\n        expr: up{{%%juju_topology%%}} == {j}\n"
                        f"        labels:\n          severity: warning\n" for j in range(10))
        files[f"src/prometheus_alert_rules/r{i:02}.rules"] = (
            f"groups:\n  - name: group-{i}\n    rules:\n{rules}")
    for i in range(DASHBOARDS):
        panels = []
        while len(json.dumps(panels)) < DASHBOARD_BYTES:
            panels.append({"type": "timeseries", "title": f"panel {rng.randrange(10 ** 6)}",
                           "targets": [{"expr": f"rate(metric_{rng.randrange(10 ** 9)}[5m])"}],
                           "gridPos": {"x": rng.randrange(24), "y": rng.randrange(200)}})
        files[f"src/grafana_dashboards/d{i:02}.json"] = json.dumps(
            {"title": f"Dashboard {i}", "panels": panels})
    return files


REQUEST = {"metrics_endpoints": [{"path": "/metrics", "port": 8080}],
           "log_slots": ["observability-demo:logs"], "tracing_protocols": ["otlp_http"]}


def publish_once(bench, workdir):
    """One unit of a charm with the layers (no handlers: the example's own would publish
    first) and the files publishes them: the seconds of the ``publish()`` call itself and of
    its whole hook (which includes the simulated Juju's ``relation-set`` of the value), the
    bytes and decoded ``config``, and the hook seconds of a ``config-changed`` and an
    ``update-status`` after it."""
    charm = helpers.assemble_charm(os.path.join(workdir, "charm", "observability-demo"))
    for path, text in charm_files(random.Random(20261201)).items():
        full = os.path.join(charm, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write(text)
    unit = bench.new_unit(os.path.join(workdir, "unit"), charm, "inprocess")
    rid = unit.relate("cos-agent", "opentelemetry-collector", units=1)
    call = {}

    def publish(endpoint_from_name):
        start = time.perf_counter()
        endpoint_from_name("cos-agent").publish(**REQUEST)
        call["seconds"] = time.perf_counter() - start

    result = unit.run_hook("update-status", action=publish)
    assert len(result.relation_sets) == 1, result.relation_sets
    hook = unit.last_seconds
    raw = unit.local_unit_data(rid)["config"]
    changed = unit.run_hook("config-changed")
    config_changed = unit.last_seconds
    status = unit.run_hook("update-status")
    assert changed.relation_sets == status.relation_sets == []
    return {"call": call["seconds"], "hook": hook, "bytes": len(raw.encode("utf-8")),
            "config": decode_config(raw), "config_changed": config_changed,
            "update_status": unit.last_seconds}


def timings(bench, charm_dir, quick, workdir):
    """Two publications of the same files from two units of their own: records of the
    ``publish()`` call and its hook (bytes written; decoded config identical across the two
    runs), and of what config-changed and update-status cost after it (best of the two)."""
    first = publish_once(bench, os.path.join(workdir, "a"))
    second = publish_once(bench, os.path.join(workdir, "b"))
    same = comparable_config(first["config"]) == comparable_config(second["config"])
    base = {"layer": "cos_agent", "side": "provides", "charm": "layers only", "runner": "inprocess",
            "relations": 1, "units": 1, "calls": {}, "bytes": first["bytes"],
            "identical_across_runs": same}
    label = f"publish() of {RULE_FILES} rules files + {DASHBOARDS} dashboards"
    best = {key: min(first[key], second[key]) for key in ("call", "hook", "config_changed",
                                                           "update_status")}
    return [
        dict(base, hook=f"{label}: the call ({first['bytes']:,} bytes of config; decoded "
                        f"config {'identical' if same else 'DIFFERENT'} across two runs)",
             seconds=best["call"]),
        dict(base, hook=f"{label}: its whole hook (with the simulated relation-set)",
             seconds=best["hook"]),
        dict(base, hook=f"{label}, then config-changed (files unchanged: a stat each)",
             seconds=best["config_changed"]),
        dict(base, hook=f"{label}, then update-status", seconds=best["update_status"]),
    ]
