"""End to end: the example charm, built by the real charm-build, using cos_agent (exec runner).

The example plays both sides: the principal on ``cos-agent`` (its metrics endpoint, the
rules and dashboard it ships in ``src/``, a log slot, a tracing protocol) and the
collector on ``cos-agent-collector``, which here reads what the principal side wrote, as
the subordinate next to it would.
"""

import json
import os
import socket

from cos_agent.support import decode_config

APP = "observability-demo"
IDENT = "cos_0a1b2c3d_observability_demo"
COLLECTOR = "opentelemetry-collector/0"


def test_built_charm_contains_the_cos_agent_layer_and_no_ops_pydantic_or_cosl(built_charm):
    layer = os.path.join(built_charm, "hooks", "relations", "cos_agent")
    files = set(os.listdir(layer))
    assert {"__init__.py", "common.py", "provides.py", "requires.py", "interface.yaml"} <= files
    assert not files & {"README.md", "docs", "tests"}
    for endpoint in ("cos-agent", "cos-agent-collector"):
        for event in ("created", "joined", "changed", "departed", "broken"):
            assert os.path.exists(os.path.join(built_charm, "hooks",
                                               f"{endpoint}-relation-{event}"))
    forbidden = ("ops", "pydantic", "pydantic_core", "cosl")
    found = []
    for root, dirs, names in os.walk(built_charm):
        for name in dirs + names:
            stem = name.split("-")[0].split(".")[0].lower()
            if stem in forbidden:
                found.append(os.path.join(root, name))
        for name in names:
            if name.endswith(".py"):
                with open(os.path.join(root, name), encoding="utf-8") as f:
                    text = f.read()
                for module in forbidden:
                    if f"import {module}" in text or f"from {module} " in text \
                            or f"from {module}." in text:
                        found.append(f"{os.path.join(root, name)}: imports {module}")
    assert found == []
    assert os.path.exists(os.path.join(built_charm, "src", "prometheus_alert_rules", "demo.rules"))


def test_example_principal_publishes_rules_dashboard_slot_and_gets_a_trace_endpoint(
        make_unit, built_charm):
    unit = make_unit(charm=built_charm, runner="exec")
    unit.run_hook("install")
    rid = unit.relate("cos-agent", "opentelemetry-collector", units=[COLLECTOR])
    config = decode_config(unit.local_unit_data(rid)["config"])
    assert [j["static_configs"] for j in config["metrics_scrape_jobs"]] == [
        [{"targets": ["localhost:8080"]}]]
    groups = config["metrics_alert_rules"]["groups"]
    assert [g["name"] for g in groups] == [IDENT + "_observability_demo_rules",
                                           IDENT + "_HostHealth_rules"]
    assert groups[0]["rules"][0]["expr"] == "up{} == 0"
    assert groups[0]["rules"][0]["labels"]["juju_charm"] == APP
    [dashboard] = config["dashboards"]
    assert dashboard["title"] == "Observability demo"
    assert dashboard["tags"] == ["demo", "charm: " + APP] and len(dashboard["uid"]) == 40
    assert config["log_slots"] == ["observability-demo:logs"]
    assert config["tracing_protocols"] == ["otlp_http"]
    assert config["log_alert_rules"] == {} and unit.local_app_data(rid) == {}

    receivers = [{"protocol": {"name": "otlp_http", "type": "http"},
                  "url": "http://collector.lxd:4318"}]
    result = unit.set_remote_unit_data(rid, COLLECTOR, {"receivers": json.dumps(receivers)})
    assert ("INFO", "cos-agent: sending traces to http://collector.lxd:4318") in result.logs
    assert {"cos-agent.tracing.available", "cos-agent.available"} <= unit.flags
    assert result.relation_sets == []  # the config did not change

    result = unit.remove_relation(rid)
    assert result.error is None
    assert not {"cos-agent.joined", "cos-agent.tracing.available"} & unit.flags


def test_example_collector_reads_a_principal_and_answers_its_tracing_request(
        make_unit, built_charm):
    principal = make_unit(charm=built_charm, runner="exec")
    principal.run_hook("install")
    prid = principal.relate("cos-agent", "opentelemetry-collector", units=[COLLECTOR])
    config = principal.local_unit_data(prid)["config"]

    unit = make_unit(charm=built_charm, runner="exec", unit="collector/0", subordinate=True)
    unit.run_hook("install")
    rid = unit.relate("cos-agent-collector", "workload", units=["workload/0"],
                      unit_data={"workload/0": {"config": config}})
    logs = [m for r in unit.history for _, m in r.logs]
    assert ("cos-agent-collector: 1 scrape jobs, 1 alert rule sets, 1 dashboards, 1 log slots, "
            "tracing: otlp_http") in logs
    assert unit.status == ["active", "collecting 1 metrics jobs"]
    assert json.loads(unit.local_unit_data(rid)["receivers"]) == [
        {"protocol": {"name": "otlp_http", "type": "http"},
         "url": f"http://{socket.getfqdn()}:4318"}]
    assert "cos-agent-collector.changed" not in unit.flags  # the handler cleared it

    result = unit.set_remote_unit_data(rid, "workload/0", {"config": "[]"})
    assert result.error is None
    assert unit.status[0] == "blocked" and "cos-agent-collector" in unit.status[1]
    assert [level for level, m in result.logs if "config is not a JSON object" in m] == ["WARNING"]
