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


# --------------------------------------------------------------------------
# Bounds: hostile data costs bounded memory and time
# --------------------------------------------------------------------------

_MEASURED = """\
import resource, subprocess, sys
proc = subprocess.run(sys.argv[2:])
with open(sys.argv[1], "w") as f:
    f.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(proc.returncode)
"""


def _measured_runner(unit, tmp_path):
    """Make ``unit`` (an exec-runner unit) run each hook under a wrapper that records the
    hook process's peak RSS (KiB) in ``tmp_path/rss``; returns a reader of it."""
    import subprocess
    import sys
    import time

    runner, real_run = unit.runner, subprocess.run
    runner.fork = False  # a new interpreter per hook (not the fork server): its own peak RSS
    out = str(tmp_path / "rss")
    took = []

    def run(hook, env, action=None):
        def wrapped(args, **kwargs):
            start = time.monotonic()
            try:
                return real_run([sys.executable, "-c", _MEASURED, out] + list(args), **kwargs)
            finally:
                took.append(time.monotonic() - start)

        subprocess.run = wrapped
        try:
            return type(runner).run(runner, hook, env, action)
        finally:
            subprocess.run = real_run

    unit.runner.run = run

    def peak():
        with open(out) as f:
            return int(f.read()), took[-1]

    return peak


def test_requires_config_that_decodes_to_gigabytes_is_refused_in_bounded_memory(
        make_unit, built_charm, tmp_path):
    # 200 dashboards of 15 MiB each (3 GiB decoded), about 4 KB each on the wire
    inner = b'{"title": "T", "pad": "' + b"x" * (15 * 1024 * 1024) + b'"}'
    one = base64.b64encode(lzma.compress(inner, preset=9)).decode()
    raw = config(dashboards=[one] * 200)
    assert len(raw) < 2 * 1024 * 1024
    collector = make_unit(charm=built_charm, unit="collector/0", runner="exec", subordinate=True)
    collector.run_hook("install")
    good = relate(collector, app="db", data={"config": config(log_slots=["pg:logs"])})
    peak = _measured_runner(collector, tmp_path)  # the hooks of the relation with the bombs
    bad = relate(collector, data={"config": raw})
    rss_kib, seconds = peak()
    assert collector.history[-1].error is None
    assert rss_kib < 256 * 1024, f"hook peak RSS {rss_kib // 1024} MiB"
    assert seconds < 60
    assert {AVAILABLE, INVALID} <= collector.flags
    warnings = [w for r in collector.history for w in r.warnings if bad in w]
    assert len(warnings) == 1 and "more than" in warnings[0] and "bytes" in warnings[0]
    state = collector.kv("interface.cos_agent." + EP + ".")
    assert len(json.dumps(state)) < 1024 * 1024  # nothing decoded was kept
    assert good in json.dumps(state)


def test_requires_key_value_store_holds_no_more_than_the_wire(collector):
    dashboards = [dashboard({"title": f"D{i}", "panels": [{"id": j} for j in range(200)]})
                  for i in range(5)]
    rules = {"groups": [{"name": f"g{i}", "rules": [{"alert": "A", "expr": "up < 1"}]}
                        for i in range(20)]}
    raws = [config(dashboards=dashboards, metrics_alert_rules=rules, log_alert_rules=rules,
                   metrics_scrape_jobs=[JOB]) for _ in range(3)]
    for i, raw in enumerate(raws):
        relate(collector, app=f"app{i}", data={"config": raw})
    kept = collector.kv("interface.cos_agent." + EP + ".")
    # what the wire holds, and under 1 KB a relation (labels, titles, digests, names)
    assert len(json.dumps(kept)) <= sum(len(raw) + 1024 for raw in raws)
    seen = exposed(collector)
    assert [d["title"] for d in seen["dashboards"]] == [f"D{i}" for i in range(5)] * 3
    assert seen["dashboards"][0]["content"]["panels"][199] == {"id": 199}


def test_requires_broken_relation_leaves_no_receivers_behind_beside_an_invalid_one(collector):
    bad = relate(collector, app="db", data={"config": "[]"})
    good = relate(collector, data={"config": config(tracing_protocols=["otlp_http"])})
    assert receivers(collector, good) and INVALID in collector.flags
    collector.remove_relation(good)
    kept = collector.kv("interface.cos_agent." + EP + ".")
    assert [key for key in kept if good in key] == []
    assert bad in json.dumps(kept)


# --------------------------------------------------------------------------
# The collector's peer relation
# --------------------------------------------------------------------------

def _entry(unit, rid_number, rules, logs, dashboards):
    """A peer entry as the contract states it (compact JSON, fields in this order)."""
    return json.dumps({"unit_name": unit, "relation_id": rid_number, "relation_name": EP,
                       "metrics_alert_rules": rules, "log_alert_rules": logs,
                       "dashboards": dashboards}, separators=(",", ":"), ensure_ascii=False)


@pytest.fixture
def peered(make_unit, own_charm):
    """A collector unit whose charm declares the peer endpoint ``peers``."""
    import os

    import yaml

    charm = own_charm()
    path = os.path.join(charm, "metadata.yaml")
    with open(path) as f:
        meta = yaml.safe_load(f)
    meta["peers"] = {"peers": {"interface": "collector_replica"}}
    with open(path, "w") as f:
        yaml.safe_dump(meta, f)
    unit = make_unit(charm=charm, unit="opentelemetry-collector/0", subordinate=True)
    unit.start()
    return unit


def test_requires_peers_share_every_collector_unit_s_rules_and_dashboards(peered):
    other_rules = {"groups": [{"name": "o", "rules": [{"alert": "B", "expr": "up"}]}]}
    theirs = _entry("db/0", "7", other_rules, {}, [dashboard({"title": "Other"}),
                                                   dashboard({"uid": "x"})])
    # a second collector unit joins the peer relation Juju made with the application
    prid = peered.add_peer("opentelemetry-collector/1", {"config-db/0": theirs})
    mine = dashboard({"title": "T"})
    rid = relate(peered, data={"config": config(metrics_alert_rules=RULES,
                                                metrics_scrape_jobs=[JOB], dashboards=[mine])})
    number = rid.split(":")[1]
    assert peered.local_unit_data(prid) == {
        "config-workload/0": _entry("workload/0", number, RULES, {}, [mine])}
    seen = exposed(peered)
    assert seen["metrics_alerts"] == {IDENT + "workload": RULES, IDENT + "db": other_rules}
    assert seen["logs_alerts"] == {}
    assert [(d["relation_id"], d["charm"], d["title"]) for d in seen["dashboards"]] == [
        (rid, EP + "-workload", "T"), (EP + ":7", EP + "-db", "Other"),
        (EP + ":7", EP + "-db", "no_title_1")]
    assert [j["job_name"] for j in seen["metrics_jobs"]] == ["w_default_1"]  # own only

    peered.clear_flag(CHANGED)
    peered.set_remote_unit_data(prid, "opentelemetry-collector/1",
                                {"config-db/0": _entry("db/0", "7", {}, {}, [])})
    assert CHANGED in peered.flags
    assert list(exposed(peered)["metrics_alerts"]) == [IDENT + "workload"]

    peered.remove_unit(rid, "workload/0")  # the key stays, emptied
    assert peered.local_unit_data(prid) == {
        "config-workload/0": _entry("workload/0", number, {}, {}, [])}


def test_requires_without_a_peer_endpoint_uses_this_unit_s_principals(collector):
    rid = relate(collector, data={"config": config(metrics_alert_rules=RULES)})
    assert exposed(collector)["metrics_alerts"] == {IDENT + "workload": RULES}
    assert collector.relation_ids("peers") == [] and set(collector.local_unit_data(rid)) == {
        "receivers"}
