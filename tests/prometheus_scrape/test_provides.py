"""prometheus_scrape provides side (the scrape target), through whole hooks of the simulated
Juju: what the leader and every unit write, when, and what Prometheus reports back."""

import json
import os
import shutil
import socket

import pytest

EP = "metrics-endpoint"
APP = "observability-demo"
UNIT = APP + "/0"
ADDRESS = "10.0.0.10"
FQDN = "demo-0.example.lxd"
UUID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
METADATA = {"model": "cos", "model_uuid": UUID, "application": APP, "unit": UNIT,
            "charm_name": APP}
JOBS = [{"job_name": "node", "static_configs": [{"targets": ["*:9100"]}]}]
UNIT_BAG = {"prometheus_scrape_unit_address": ADDRESS, "prometheus_scrape_unit_name": UNIT,
            "prometheus_scrape_unit_fqdn": FQDN}
HOST_HEALTH = "cos_0a1b2c3d_observability_demo_HostHealth_rules"
RULE_FILE = ("groups:\n  - name: demo\n    rules:\n      - alert: Down\n"
             "        expr: up{%%juju_topology%%} == 0\n")


@pytest.fixture(autouse=True)
def fqdn(monkeypatch):
    monkeypatch.setattr(socket, "getfqdn", lambda *a: FQDN)


@pytest.fixture
def own_charm(charm_dir, tmp_path):
    """``own_charm(files)``: a copy of the test charm with ``files`` written into it."""

    def make(files):
        dest = str(tmp_path / "charm")
        shutil.copytree(charm_dir, dest, symlinks=True)
        for path, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(dest, path)), exist_ok=True)
            with open(os.path.join(dest, path), "w") as f:
                f.write(text)
        return dest

    return make


def call(unit, method, *args, **kwargs):
    """A hook in which a charm handler calls ``method`` of the endpoint; the HookResult."""
    return unit.run_hook("update-status",
                         action=lambda e: getattr(e(EP), method)(*args, **kwargs))


def app_bag(unit, rid):
    """Our application databag with its JSON values decoded."""
    return {k: json.loads(v) for k, v in unit.local_app_data(rid).items()}


def group_names(unit, rid):
    return [g["name"] for g in app_bag(unit, rid)["alert_rules"]["groups"]]


def test_provides_leader_writes_metadata_jobs_and_rules_and_its_unit_keys(unit):
    rid = unit.relate(EP, "prometheus", units=1)
    assert {EP + ".joined", EP + ".connected"} <= unit.flags
    assert unit.local_app_data(rid) == {}  # nothing asked yet
    assert unit.local_unit_data(rid) == UNIT_BAG  # every unit says where to scrape it
    call(unit, "publish", JOBS)
    bag = unit.local_app_data(rid)
    # the bytes upstream writes: json.dumps defaults, metadata keys in this order
    assert bag["scrape_metadata"] == json.dumps(METADATA)
    assert bag["scrape_jobs"] == json.dumps([{"metrics_path": "/metrics", "static_configs": [
        {"targets": ["*:9100"]}], "job_name": "node"}])
    assert group_names(unit, rid) == [HOST_HEALTH]


def test_provides_publishes_the_default_job_without_jobs(unit):
    rid = unit.relate(EP, "prometheus", units=1)
    call(unit, "publish")
    assert app_bag(unit, rid)["scrape_jobs"] == [
        {"metrics_path": "/metrics", "static_configs": [{"targets": ["*:80"]}]}]


def test_provides_non_leader_writes_only_its_unit_keys(make_unit):
    unit = make_unit(leader=False)
    unit.start()
    rid = unit.relate(EP, "prometheus", units=1)
    call(unit, "publish", JOBS)
    assert unit.local_app_data(rid) == {}
    assert unit.local_unit_data(rid) == UNIT_BAG
    unit.set_leader(True)  # leader-elected: the request was remembered
    assert app_bag(unit, rid)["scrape_metadata"] == METADATA


def test_provides_writes_a_later_relation_without_a_charm_call(unit):
    call(unit, "publish", JOBS)
    rid = unit.relate(EP, "prometheus", units=1)
    assert app_bag(unit, rid)["scrape_jobs"][0]["job_name"] == "node"
    assert unit.local_unit_data(rid) == UNIT_BAG


def test_provides_same_request_again_writes_nothing(unit):
    unit.relate(EP, "prometheus", units=1)
    call(unit, "publish", JOBS)
    again = call(unit, "publish", JOBS)
    assert again.relation_sets == [] and again.tool_calls("relation-get") == []
    assert unit.run_hook("upgrade-charm").relation_sets == []
    assert unit.run_hook("config-changed").relation_sets == []


def test_provides_new_jobs_replace_the_old(unit):
    rid = unit.relate(EP, "prometheus", units=1)
    call(unit, "publish", JOBS)
    result = call(unit, "publish", [{"job_name": "other"}])
    assert len(result.relation_sets) == 1  # scrape_jobs only
    assert [j["job_name"] for j in app_bag(unit, rid)["scrape_jobs"]] == ["other"]


def test_provides_external_url_publishes_its_host_and_path_and_no_fqdn(unit):
    rid = unit.relate(EP, "prometheus", units=1)
    call(unit, "publish", JOBS, external_url="https://Ingress.Example:443/cos-demo-0")
    assert unit.local_unit_data(rid) == {
        "prometheus_scrape_unit_address": "ingress.example",
        "prometheus_scrape_unit_name": UNIT,
        "prometheus_scrape_unit_path": "/cos-demo-0"}


def test_provides_binding_without_an_ip_publishes_the_fqdn(make_unit):
    unit = make_unit(address=None)
    unit.start()
    rid = unit.relate(EP, "prometheus", units=1)
    assert unit.local_unit_data(rid) == dict(UNIT_BAG, prometheus_scrape_unit_address=FQDN)


@pytest.mark.parametrize("kwargs", [
    {"jobs": "*:9100"},
    {"jobs": ["*:9100"]},
    {"jobs": [{"static_configs": {"targets": ["*:1"]}}]},
    {"jobs": [{"static_configs": [{"targets": "*:1"}]}]},
    {"jobs": [{"job_name": 7}]},
    {"jobs": [{"scrape_interval": float("nan")}]},
    {"jobs": [{"params": {1: "x"}}]},
    {"external_url": "https://"},
    {"alert_rules_path": ""},
])
def test_provides_rejects_bad_arguments_and_writes_nothing(unit, kwargs):
    rid = unit.relate(EP, "prometheus", units=1)
    raised = {}

    def act(e):
        try:
            e(EP).publish(**kwargs)
        except ValueError as error:
            raised["error"] = str(error)

    result = unit.run_hook("update-status", action=act)
    assert raised["error"] and result.relation_sets == []
    assert unit.local_app_data(rid) == {}


def test_provides_reads_rule_files_again_when_one_changes(make_unit, own_charm):
    charm = own_charm({"src/prometheus_alert_rules/demo.rules": RULE_FILE})
    unit = make_unit(charm=charm)
    unit.start()
    rid = unit.relate(EP, "prometheus", units=1)
    call(unit, "publish", JOBS)
    assert group_names(unit, rid) == ["cos_0a1b2c3d_observability_demo_demo_rules", HOST_HEALTH]
    rule = app_bag(unit, rid)["alert_rules"]["groups"][0]["rules"][0]
    assert rule["expr"] == "up{} == 0" and rule["labels"]["juju_charm"] == APP
    assert call(unit, "publish", JOBS).relation_sets == []  # nothing changed
    with open(os.path.join(charm, "src/prometheus_alert_rules/more.rule"), "w") as f:
        f.write("alert: More\nexpr: up > 1\n")
    assert len(call(unit, "publish", JOBS).relation_sets) == 1
    assert len(group_names(unit, rid)) == 3


def test_provides_skips_a_rule_file_it_cannot_use_with_one_warning(make_unit, own_charm):
    charm = own_charm({"src/prometheus_alert_rules/bad.rules": "groups:\n  - rules: []\n",
                       "src/prometheus_alert_rules/good.rules": RULE_FILE})
    unit = make_unit(charm=charm)
    unit.start()
    rid = unit.relate(EP, "prometheus", units=1)
    result = call(unit, "publish", JOBS)
    assert result.error is None and len(result.warnings) == 1 and "bad.rules" in result.warnings[0]
    assert group_names(unit, rid) == ["cos_0a1b2c3d_observability_demo_demo_rules", HOST_HEALTH]


def test_provides_does_not_forward_rules_when_told_not_to(unit):
    rid = unit.relate(EP, "prometheus", units=1)
    call(unit, "publish", JOBS, forward_alert_rules=False)
    assert unit.local_app_data(rid)["alert_rules"] == "{}"


def test_provides_unpublish_withdraws_everything_and_a_new_leader_keeps_it_withdrawn(unit):
    rid = unit.relate(EP, "prometheus", units=1)
    call(unit, "publish", JOBS)
    call(unit, "unpublish")
    assert unit.local_app_data(rid) == {} and unit.local_unit_data(rid) == {}
    assert call(unit, "unpublish").relation_sets == []
    unit.set_leader(False)
    unit.set_leader(True)
    unit.run_hook(EP + "-relation-changed", rid=rid, remote_unit="prometheus/0")
    assert unit.local_app_data(rid) == {} and unit.local_unit_data(rid) == {}
    call(unit, "publish", JOBS)
    assert unit.local_unit_data(rid) == UNIT_BAG and unit.local_app_data(rid)


def test_provides_reports_what_prometheus_refused(unit):
    rid = unit.relate(EP, "prometheus", units=1)
    call(unit, "publish", JOBS)
    assert EP + ".rejected" not in unit.flags
    unit.set_remote_app_data(rid, {"event": json.dumps({"scrape_job_errors": "bad job"})})
    assert EP + ".rejected" in unit.flags
    seen = {}
    unit.run_hook("update-status", action=lambda e: seen.update(v=e(EP).validation))
    assert seen["v"] == {rid: {"valid": True, "errors": "", "scrape_job_errors": "bad job"}}
    unit.set_remote_app_data(rid, {"event": "{}"})
    assert EP + ".rejected" not in unit.flags


def test_provides_ignores_an_event_that_is_not_json_with_one_warning(unit):
    rid = unit.relate(EP, "prometheus", units=1)
    result = unit.set_remote_app_data(rid, {"event": "errors!"})
    assert result.error is None and len(result.warnings) == 1 and "event" in result.warnings[0]
    assert EP + ".rejected" not in unit.flags


def test_provides_old_api_keeps_several_jobs_by_name_and_clears_one(unit):
    rid = unit.relate(EP, "prometheus", units=1)
    assert EP + ".available" in unit.flags  # the remote unit's data arrived
    call(unit, "expose_job", "a", static_configs=[{"targets": ["*:9001"]}])
    call(unit, "expose_job", "b", metrics_path="/m", static_configs=[{"targets": ["*:9002"]}])
    assert {EP + ".exposed.a", EP + ".exposed.b"} <= unit.flags
    assert app_bag(unit, rid)["scrape_jobs"] == [
        {"metrics_path": "/metrics", "static_configs": [{"targets": ["*:9001"]}], "job_name": "a"},
        {"metrics_path": "/m", "static_configs": [{"targets": ["*:9002"]}], "job_name": "b"}]
    call(unit, "clear_job", "a")
    assert EP + ".exposed.a" not in unit.flags and EP + ".exposed.b" in unit.flags
    assert [j["job_name"] for j in app_bag(unit, rid)["scrape_jobs"]] == ["b"]
    assert unit.local_unit_data(rid) == UNIT_BAG  # unit keys stay while a job remains


def test_provides_old_flags_clear_when_the_relation_goes(unit):
    rid = unit.relate(EP, "prometheus", units=1)
    assert {EP + ".connected", EP + ".available"} <= unit.flags
    unit.remove_relation(rid)
    assert not {EP + ".connected", EP + ".available", EP + ".joined"} & unit.flags
