"""cos_agent requires side (the collector), through whole hooks of the simulated Juju."""

import base64
import json
import lzma
import socket

import pytest

from cos_agent.support import COLLECTOR as EP

AVAILABLE, CHANGED, INVALID = EP + ".available", EP + ".changed", EP + ".invalid"
IDENT = "cos_0a1b2c3d_"


def dashboard(content):
    return base64.b64encode(lzma.compress(json.dumps(content).encode())).decode()


def config(**fields):
    """A principal's ``config`` (the required fields empty unless given)."""
    value = {"metrics_alert_rules": {}, "log_alert_rules": {}, "dashboards": [],
             "metrics_scrape_jobs": [], "log_slots": []}
    value.update(fields)
    return json.dumps(value)


JOB = {"job_name": "w_default_1", "static_configs": [{"targets": ["localhost:9100"]}]}
RULES = {"groups": [{"name": "g", "rules": [{"alert": "A", "expr": "up < 1"}]}]}


def relate(unit, app="workload", data=None, units=1):
    names = [f"{app}/{i}" for i in range(units)]
    return unit.relate(EP, app, units=names, unit_data={n: data or {} for n in names})


def exposed(unit):
    """What the charm sees: every property, read in a hook."""
    seen = {}

    def read(e):
        ep = e(EP)
        seen.update(metrics_jobs=ep.metrics_jobs, metrics_alerts=ep.metrics_alerts,
                    logs_alerts=ep.logs_alerts, dashboards=ep.dashboards,
                    snap_log_endpoints=ep.snap_log_endpoints, principals=ep.principals,
                    protocols=ep.requested_tracing_protocols(),
                    invalid_reasons=ep.invalid_reasons)

    unit.run_hook("update-status", action=read)
    return seen


def receivers(unit, rid):
    bag = unit.local_unit_data(rid)
    assert set(bag) <= {"receivers"}, bag
    return json.loads(bag["receivers"]) if "receivers" in bag else None


def update_receivers(unit, **kwargs):
    return unit.run_hook("update-status",
                         action=lambda e: e(EP).update_tracing_receivers(**kwargs))


@pytest.fixture
def collector(make_unit):
    u = make_unit(unit="opentelemetry-collector/0", subordinate=True)
    u.start()
    return u


@pytest.fixture(autouse=True)
def fqdn(monkeypatch):
    """This machine's FQDN, as the layer finds it."""
    monkeypatch.setattr(socket, "getfqdn", lambda *a: "machine-0.lxd")
    return "machine-0.lxd"


# --------------------------------------------------------------------------
# Join, change, depart, broken
# --------------------------------------------------------------------------

def test_requires_principal_joined_without_config_is_nothing_yet(collector):
    rid = relate(collector)
    assert EP + ".joined" in collector.flags
    assert not {AVAILABLE, CHANGED, INVALID} & collector.flags
    assert collector.local_unit_data(rid) == {}
    assert exposed(collector)["metrics_jobs"] == []


def test_requires_config_is_exposed_with_topology_and_answered_with_receivers(collector):
    rid = relate(collector, data={"config": config(
        metrics_scrape_jobs=[JOB], metrics_alert_rules=RULES, log_slots=["snap:logs"],
        dashboards=[dashboard({"title": "T", "uid": "u"})], tracing_protocols=["otlp_grpc"])})
    assert {AVAILABLE, CHANGED} <= collector.flags and INVALID not in collector.flags
    seen = exposed(collector)
    assert seen["metrics_jobs"] == [{"job_name": "w_default_1", "static_configs": [{
        "targets": ["localhost:9100"],
        "labels": {"juju_model": "cos", "juju_model_uuid": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
                   "juju_application": "workload", "juju_unit": "workload/0"}}]}]
    assert seen["metrics_alerts"] == {IDENT + "workload": RULES} and seen["logs_alerts"] == {}
    assert seen["snap_log_endpoints"] == [{"owner": "snap", "name": "logs",
                                           "application": "workload", "unit": "workload/0"}]
    assert seen["dashboards"] == [{"relation_id": rid, "charm": EP + "-workload", "title": "T",
                                   "content": {"title": "T", "uid": "u"}}]
    assert seen["principals"] == [{"relation_id": rid, "application": "workload",
                                   "unit": "workload/0"}]
    assert seen["protocols"] == ["otlp_grpc"]
    assert receivers(collector, rid) == [
        {"protocol": {"name": "otlp_grpc", "type": "grpc"}, "url": "machine-0.lxd:4317"}]


def test_requires_changed_follows_the_data_and_its_going_away(collector):
    rid = relate(collector, data={"config": config(metrics_scrape_jobs=[JOB])})
    collector.clear_flag(CHANGED)
    same = collector.set_remote_unit_data(rid, "workload/0", {"config": config(
        metrics_scrape_jobs=[JOB])})
    assert CHANGED not in collector.flags and same.relation_sets == []
    collector.set_remote_unit_data(rid, "workload/0", {"config": config(log_slots=["a:b"])})
    assert CHANGED in collector.flags
    collector.clear_flag(CHANGED)
    collector.remove_unit(rid, "workload/0")
    assert not {AVAILABLE, INVALID} & collector.flags
    assert CHANGED in collector.flags  # the data went away: the charm must learn it
    assert exposed(collector)["snap_log_endpoints"] == []


def test_requires_relation_broken_leaves_nothing_behind(collector):
    rid = relate(collector, data={"config": config(metrics_scrape_jobs=[JOB])})
    other = relate(collector, app="db", data={"config": config(log_slots=["pg:logs"])})
    collector.remove_relation(rid)
    seen = exposed(collector)
    assert seen["metrics_jobs"] == [] and len(seen["snap_log_endpoints"]) == 1
    collector.remove_relation(other)
    assert not {AVAILABLE, INVALID, EP + ".joined"} & collector.flags
    assert collector.kv("interface.cos_agent." + EP + ".") == {}


def test_requires_two_principals_in_relation_order_receivers_the_union(collector):
    first = relate(collector, data={"config": config(metrics_scrape_jobs=[JOB],
                                                     tracing_protocols=["otlp_http"])})
    second = relate(collector, app="db", data={"config": config(
        metrics_scrape_jobs=[dict(JOB, job_name="db_1")], tracing_protocols=["zipkin"])})
    seen = exposed(collector)
    assert [j["job_name"] for j in seen["metrics_jobs"]] == ["w_default_1", "db_1"]
    want = [{"protocol": {"name": "otlp_http", "type": "http"}, "url": "http://machine-0.lxd:4318"},
            {"protocol": {"name": "zipkin", "type": "http"}, "url": "http://machine-0.lxd:9411"}]
    assert receivers(collector, first) == want and receivers(collector, second) == want


# --------------------------------------------------------------------------
# Receivers
# --------------------------------------------------------------------------

def test_requires_update_tracing_receivers_settings_are_kept(collector):
    rid = relate(collector, data={"config": config(tracing_protocols=["otlp_http", "otlp_grpc"])})
    update_receivers(collector, fqdn="collector.example", tls=True)
    assert receivers(collector, rid) == [
        {"protocol": {"name": "otlp_grpc", "type": "grpc"}, "url": "collector.example:4317"},
        {"protocol": {"name": "otlp_http", "type": "http"}, "url": "https://collector.example:4318"}]
    update_receivers(collector, ready=False)
    assert [r["url"] for r in receivers(collector, rid)] == [None, None]
    collector.set_remote_unit_data(rid, "workload/0", {"config": config(
        tracing_protocols=["zipkin"])})
    assert receivers(collector, rid) == [{"protocol": {"name": "zipkin", "type": "http"}, "url": None}]
    again = update_receivers(collector, ready=False)
    assert again.relation_sets == []


def test_requires_receivers_wait_for_a_usable_config(collector):
    rid = relate(collector)
    update_receivers(collector)
    assert collector.local_unit_data(rid) == {}
    collector.set_remote_unit_data(rid, "workload/0", {"config": config()})
    assert receivers(collector, rid) == []


@pytest.mark.parametrize("kwargs", [{"fqdn": ""}, {"tls": "yes"}, {"ready": 1}])
def test_requires_update_tracing_receivers_refuses_wrong_types(collector, kwargs):
    caught = {}

    def call(e):
        try:
            e(EP).update_tracing_receivers(**kwargs)
        except ValueError as err:
            caught["error"] = err

    collector.run_hook("update-status", action=call)
    assert isinstance(caught.get("error"), ValueError)


# --------------------------------------------------------------------------
# Remote data that cannot be used
# --------------------------------------------------------------------------

@pytest.mark.parametrize("raw,word", [
    ("{not json", "JSON"),
    ("[]", "object"),
    (json.dumps({"metrics_scrape_jobs": [], "log_slots": []}), "metrics_alert_rules"),
    (config(dashboards=[1]), "dashboards"),
    (config(metrics_scrape_jobs=["job"]), "metrics_scrape_jobs"),
    (config(tracing_protocols="otlp_http"), "tracing_protocols"),
    (config(subordinate="maybe"), "subordinate"),
    ('{"a": NaN}', "JSON"),
    ("[" * 5000 + "]" * 5000, "deep"),
])
def test_requires_rejected_config_makes_that_relation_invalid_without_failing(
        collector, raw, word):
    good = relate(collector, app="db", data={"config": config(metrics_scrape_jobs=[JOB])})
    bad = relate(collector, data={"config": raw})
    result = collector.history[-1]
    assert result.error is None
    assert {AVAILABLE, INVALID} <= collector.flags
    seen = exposed(collector)
    assert list(seen["invalid_reasons"]) == [bad] and word in seen["invalid_reasons"][bad]
    assert [p["relation_id"] for p in seen["principals"]] == [good]
    warnings = [w for r in collector.history for w in r.warnings if bad in w]
    assert len(warnings) == 1 and "config" in warnings[0]
    collector.set_remote_unit_data(bad, "workload/0", {"config": config()})
    assert INVALID not in collector.flags


def test_requires_two_principal_units_on_one_relation_is_invalid(collector):
    rid = relate(collector, data={"config": config()}, units=1)
    # Juju never puts a second principal unit on a container-scoped relation (the simulated
    # Juju refuses to): written into the model directly, to show the layer still copes.
    key = rid.split(":")[1]
    collector.edit(lambda s: s["relations"][key]["units"].update(
        {"workload/1": dict(s["relations"][key]["units"]["workload/0"])}))
    collector.run_hook(f"{EP}-relation-changed", rid=rid, remote_unit="workload/1")
    assert INVALID in collector.flags and AVAILABLE not in collector.flags
    assert "2 principal units" in exposed(collector)["invalid_reasons"][rid]


def test_requires_bad_items_are_skipped_with_one_warning_each(collector):
    data = {"config": config(
        log_slots=["no-colon", "a:b:c", "snap:logs"],
        dashboards=["bm90IGx6bWE=", dashboard({"title": "Good"}), dashboard([1, 2])],
        metrics_scrape_jobs=[{"static_configs": ["x", {"targets": ["localhost:1"]}]},
                             {"static_configs": "x"}],
        tracing_protocols=["otlp_http", "jaeger_grpc", "carrier_pigeon"])}
    relate(collector, data=data)
    warnings = [w for r in collector.history for w in r.warnings]
    for word in ("no-colon", "a:b:c", "dashboards[0]", "dashboards[2]", "static_configs[0]",
                 "metrics_scrape_jobs[1]", "jaeger_grpc", "carrier_pigeon"):
        assert len([w for w in warnings if word in w]) == 1, word
    assert INVALID not in collector.flags
    seen = exposed(collector)
    assert [s["name"] for s in seen["snap_log_endpoints"]] == ["logs"]
    assert [d["title"] for d in seen["dashboards"]] == ["Good"]
    assert [len(j["static_configs"]) for j in seen["metrics_jobs"]] == [1]
    assert seen["protocols"] == ["otlp_http"]
    # the same data again (another relation's hook, upgrade-charm) warns no more
    collector.run_hook("upgrade-charm")
    assert collector.history[-1].warnings == []


def test_requires_upgrade_charm_reads_the_relations_again(collector):
    rid = relate(collector, data={"config": config(log_slots=["a:b"])})
    collector.edit(lambda s: s["relations"][rid.split(":")[1]]["units"]["workload/0"].update(
        config=config(log_slots=["c:d"])))
    collector.run_hook("upgrade-charm")
    assert [s["owner"] for s in exposed(collector)["snap_log_endpoints"]] == ["c"]


@pytest.mark.parametrize("leader", [True, False])
def test_requires_update_status_and_leadership_changes_cost_nothing(make_unit, leader):
    unit = make_unit(leader=leader, subordinate=True)
    unit.start()
    relate(unit, data={"config": config(metrics_scrape_jobs=[JOB])})
    for result in (unit.run_hook("update-status"), unit.set_leader(not leader)):
        assert result.relation_sets == [] and result.tool_calls("relation-get") == [], result.name


def test_requires_never_logs_the_credentials_a_scrape_job_carries(collector):
    secret = "Sup3r-s3cret-scrape-passw0rd"
    jobs = [{"job_name": "j", "basic_auth": {"username": "u", "password": secret},
             "static_configs": ["bad", {"targets": ["localhost:1"]}]},
            {"job_name": "old", "path": "/m", "port": {"password": secret}},
            {"authorization": {"credentials": secret}, "static_configs": secret}]
    rid = relate(collector, data={"config": config(metrics_scrape_jobs=jobs, log_slots=["a:b:c"])})
    collector.set_remote_unit_data(rid, "workload/0", {"config": config(
        metrics_scrape_jobs=jobs, log_slots=["x"], tracing_protocols=["jaeger_grpc"])})
    collector.set_remote_unit_data(rid, "workload/0", {"config": "{" + secret})
    shown = [args for r in collector.history for args in r.tool_calls("juju-log")
             + r.tool_calls("status-set")]
    # the bad items once each (4, then the 2 new ones), then the bad config
    assert len([a for a in shown if a[:2] == ["-l", "WARNING"]]) == 7
    assert not [a for a in shown if any(secret in part for part in a)]
