"""End to end: the example charm, built by the real charm-build, using prometheus_scrape (exec
runner), and a handler file written for openstack-charmers' layer, run unchanged.

The example plays both sides: the scrape target on ``metrics-endpoint`` (two jobs, the
rules it ships in ``src/prometheus_alert_rules``, and the old-API handler's job) and the
Prometheus side on ``metrics-targets``, which logs the jobs and rules it receives.
"""

import json
import os
import shutil

UUID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
APP = "observability-demo"
IDENT = "cos_0a1b2c3d_observability_demo"
HERE = os.path.dirname(os.path.abspath(__file__))


def logs(results):
    return [message for result in results for _, message in result.logs]


def test_example_built_charm_contains_the_layer_without_docs(built_charm):
    layer = os.path.join(built_charm, "hooks", "relations", "prometheus_scrape")
    source = os.path.join(os.path.dirname(os.path.dirname(HERE)), "interface-prometheus-scrape")
    shipped = sorted(f for f in os.listdir(source) if f.endswith(".py"))  # own and vendored
    assert {"common.py", "provides.py", "requires.py", "_rules.py", "_topology.py"} <= set(shipped)
    assert sorted(f for f in os.listdir(layer) if f.endswith(".py")) == sorted(
        shipped + ["__init__.py"])
    assert not os.path.exists(os.path.join(layer, "README.md"))
    for hook in ("metrics-endpoint-relation-joined", "metrics-targets-relation-changed"):
        assert os.path.exists(os.path.join(built_charm, "hooks", hook))


def test_example_offers_two_jobs_its_rules_and_the_old_api_job(make_unit, built_charm):
    unit = make_unit(charm=built_charm, runner="exec", address="10.0.0.10")
    rid = unit.relate("metrics-endpoint", "prometheus", units=1)
    app = unit.local_app_data(rid)
    assert json.loads(app["scrape_metadata"]) == {
        "model": "cos", "model_uuid": UUID, "application": APP, "unit": APP + "/0",
        "charm_name": APP}
    jobs = json.loads(app["scrape_jobs"])
    assert [(j["job_name"], j["metrics_path"], j["static_configs"][0]["targets"]) for j in jobs] == [
        ("demo", "/metrics", ["*:9100"]), ("demo-api", "/api/metrics", ["*:8443"]),
        ("legacy-exporter", "/metrics", ["*:9476"])]
    groups = json.loads(app["alert_rules"])["groups"]
    assert [g["name"] for g in groups] == [IDENT + "_observability_demo_rules",
                                           IDENT + "_HostHealth_rules"]
    assert groups[0]["rules"][0]["expr"] == "up{} == 0"
    assert unit.local_unit_data(rid)["prometheus_scrape_unit_address"] == "10.0.0.10"
    assert {"metrics-endpoint.exposed.legacy-exporter"} <= unit.flags
    # every later hook calls publish() and expose_job() again: nothing is written
    assert unit.run_hook("update-status").relation_sets == []

    # Prometheus reports the rules it refused: the status says so
    unit.set_remote_app_data(rid, {"event": json.dumps({"errors": "bad expr"})})
    state, message = unit.status
    assert state == "blocked" and "bad expr" in message


def test_example_logs_the_jobs_and_rules_it_scrapes(make_unit, built_charm):
    unit = make_unit(charm=built_charm, runner="exec")
    app_data = {
        "scrape_metadata": json.dumps({"model": "cos", "model_uuid": UUID, "application": "t",
                                       "unit": "t/0", "charm_name": "t"}),
        "scrape_jobs": json.dumps([{"static_configs": [{"targets": ["*:9100"]}]}]),
        "alert_rules": json.dumps({"groups": [{"name": "g", "rules": [{"alert": "A",
                                                                       "expr": "up < 1"}]}]}),
    }
    rid = unit.relate("metrics-targets", "t", units=["t/0"], app_data=app_data, unit_data={
        "t/0": {"prometheus_scrape_unit_address": "10.1.0.1",
                "prometheus_scrape_unit_name": "t/0"}})
    want = "metrics-targets: 1 scrape jobs: juju_cos_0a1b2c3d_t_prometheus_scrape-0; " \
           "alert rules: cos_0a1b2c3d_t_metrics-targets_{}".format(rid.split(":")[1])
    assert want in logs(unit.history)
    assert "metrics-targets.changed" not in unit.flags  # the handler cleared it
    assert unit.local_app_data(rid) == {"event": "{}"}

    # unusable data: skipped and reported, the hook does not fail
    result = unit.set_remote_app_data(rid, {"scrape_jobs": "[{"})
    assert result.error is None
    assert "metrics-targets: 0 scrape jobs: ; alert rules: none" in logs([result])
    assert {"metrics-targets.invalid"} <= unit.flags


def test_a_handler_written_for_the_openstack_charmers_layer_runs_unchanged(make_unit, charm_dir,
                                                                          tmp_path):
    charm = str(tmp_path / "charm")
    shutil.copytree(charm_dir, charm, symlinks=True)
    shutil.copy(os.path.join(HERE, "old_api_charm", "ovn_metrics_handlers.py"),
                os.path.join(charm, "reactive"))
    unit = make_unit(charm=charm, address="10.0.0.7")
    unit.start()
    rid = unit.relate("metrics-endpoint", "prometheus", units=1)
    assert {"metrics-endpoint.connected", "metrics-endpoint.available",
            "metrics-endpoint.exposed.ovn-exporter"} <= unit.flags
    app = unit.local_app_data(rid)
    assert json.loads(app["scrape_jobs"]) == [{"metrics_path": "/metrics", "static_configs": [
        {"targets": ["*:9476"]}], "job_name": "ovn-exporter"}]
    # what changed on the wire for such a charm: the unit name keeps its "/", the metadata
    # names the unit and charm, and the alert rules (the generic group) are published
    assert unit.local_unit_data(rid)["prometheus_scrape_unit_name"] == APP + "/0"
    assert set(json.loads(app["scrape_metadata"])) == {"model", "model_uuid", "application",
                                                       "unit", "charm_name"}
    assert [g["name"] for g in json.loads(app["alert_rules"])["groups"]] == [
        IDENT + "_HostHealth_rules"]
    assert unit.run_hook("update-status").relation_sets == []
    unit.remove_relation(rid)
    assert not {"metrics-endpoint.connected", "metrics-endpoint.available",
                "metrics-endpoint.exposed.ovn-exporter"} & unit.flags
