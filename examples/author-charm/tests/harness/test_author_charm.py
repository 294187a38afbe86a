"""author-charm's handlers, run by the real charms.reactive against the simulated Juju.

The charm is built offline once per session (``jujusim_charm = .`` in pytest.ini);
every test gets a started leader unit of it (``juju_unit``) or makes its own
(``make_unit``), relates remote applications with the databags they would
write, and reads what the charm did: flags, databags, status, logs, files.
"""

import json
import os

import pytest

from jujusim.driver import JujuError

MIMIR = {"direct_url": "http://mimir.cos.svc:8080/prometheus"}
STORE = {"remote-store-address": "parca.cos.svc:7070",
         "remote-store-bearer-token": "s3cr3t-T0KEN", "remote-store-insecure": "false"}
TEMPO = {"tempo-http-url": "http://author-charm.cos.svc:3200",
         "tempo-grpc-url": "http://author-charm.cos.svc:9096"}


def workload_config(unit):
    """What the charm wrote for its application (author-charm.json in its CHARM_DIR)."""
    path = os.path.join(unit.charm_dir, "author-charm.json")
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        return json.load(f)


# -- parca_scrape, provides -----------------------------------------------------

def test_offers_both_pprof_ports_to_parca(juju_unit):
    rid = juju_unit.relate("profiling", "parca", units=1)
    jobs = json.loads(juju_unit.local_app_data(rid)["scrape_jobs"])
    assert jobs == [{"job_name": "author-charm",
                     "static_configs": [{"targets": ["*:6060", "*:6061"]}]}]
    assert juju_unit.local_unit_data(rid)["parca_scrape_unit_address"] == "10.0.0.10"
    assert "profiling.joined" in juju_unit.flags


def test_a_unit_that_is_not_the_leader_writes_no_application_data(make_unit):
    unit = make_unit(unit="author-charm/1", leader=False)
    unit.start()
    rid = unit.relate("profiling", "parca", units=1)
    assert unit.local_app_data(rid) == {}
    assert unit.local_unit_data(rid)["parca_scrape_unit_name"] == "author-charm/1"


# -- prometheus_api, requires ---------------------------------------------------

def test_needs_a_metrics_relation_until_one_is_related(juju_unit):
    assert juju_unit.status == ["blocked", "needs a metrics relation"]


def test_related_but_waiting_for_mimir_to_publish(juju_unit):
    rid = juju_unit.relate("metrics", "mimir", units=1)
    assert "metrics.joined" in juju_unit.flags and "metrics.available" not in juju_unit.flags
    assert juju_unit.status == ["waiting", "metrics: related, waiting for data"]
    juju_unit.set_remote_app_data(rid, MIMIR)
    assert juju_unit.status == ["active", "ready"]


def test_uses_the_metrics_api_mimir_publishes(juju_unit):
    juju_unit.relate("metrics", "mimir", units=1, app_data=MIMIR)
    assert "metrics.available" in juju_unit.flags
    assert "metrics.changed" not in juju_unit.flags  # the charm handled and cleared it
    assert workload_config(juju_unit)["prometheus_url"] == MIMIR["direct_url"]
    assert juju_unit.status == ["active", "ready"]


def test_forgets_the_metrics_api_when_the_relation_goes(juju_unit):
    rid = juju_unit.relate("metrics", "mimir", units=1, app_data=MIMIR)
    juju_unit.remove_relation(rid)
    # .changed was set when the data went away, and the charm's handler cleared it
    assert not {"metrics.available", "metrics.joined", "metrics.changed"} & juju_unit.flags
    assert workload_config(juju_unit)["prometheus_url"] is None
    assert juju_unit.status == ["blocked", "needs a metrics relation"]


def test_unusable_metrics_data_blocks_the_charm_without_failing_a_hook(juju_unit):
    result = juju_unit.relate("metrics", "mimir", units=1, app_data={"direct_url": "ftp://mimir"})
    assert result  # relate() returned a relation id: every hook succeeded
    assert "metrics.invalid" in juju_unit.flags and "metrics.available" not in juju_unit.flags
    assert juju_unit.status[0] == "blocked"
    assert any("direct_url" in message for message in juju_unit.warnings)


# -- parca_store, requires ------------------------------------------------------

def test_sends_profiles_to_the_related_store_and_never_logs_its_token(juju_unit):
    rid = juju_unit.relate("profile-store", "parca", units=1, app_data=STORE)
    assert workload_config(juju_unit)["profile_store"] == {
        "address": "parca.cos.svc:7070", "insecure": False, "bearer_token": "s3cr3t-T0KEN"}
    assert not [call for call in juju_unit.calls if "s3cr3t-T0KEN" in json.dumps(call["args"])
                and call["tool"] != "relation-get"]
    juju_unit.remove_relation(rid)
    assert workload_config(juju_unit)["profile_store"] is None


# -- tempo_api, provides --------------------------------------------------------

def test_offers_the_configured_tempo_api(make_unit):
    unit = make_unit(config=TEMPO)
    unit.start()
    rid = unit.relate("tempo-api", "grafana", units=1)
    bag = {key: json.loads(value) for key, value in unit.local_app_data(rid).items()}
    assert bag == {"http": {"direct_url": TEMPO["tempo-http-url"] + "/"},
                   "grpc": {"direct_url": TEMPO["tempo-grpc-url"] + "/"}}


def test_offers_nothing_until_both_tempo_urls_are_set(juju_unit):
    rid = juju_unit.relate("tempo-api", "grafana", units=1)
    assert juju_unit.local_app_data(rid) == {}
    juju_unit.set_config(**TEMPO)
    juju_unit.run_hook("tempo-api-relation-changed", rid=rid)
    assert set(juju_unit.local_app_data(rid)) == {"http", "grpc"}


def test_withdraws_the_tempo_api_when_the_config_stops_offering_it(make_unit):
    unit = make_unit(config=TEMPO)
    unit.start()
    rid = unit.relate("tempo-api", "grafana", units=1)
    unit.set_config(**{"tempo-grpc-url": ""})  # config-changed: the charm calls unpublish()
    assert unit.local_app_data(rid) == {}
    # ... and a new leader does not bring it back
    unit.set_leader(False)
    unit.set_leader(True)
    assert unit.local_app_data(rid) == {}


@pytest.mark.parametrize("grpc", ["grpc://author-charm:9096", "not a url"])
def test_a_bad_tempo_url_blocks_the_charm(make_unit, grpc):
    unit = make_unit(config=dict(TEMPO, **{"tempo-grpc-url": grpc}))
    unit.start()
    rid = unit.relate("tempo-api", "grafana", units=1)
    assert unit.local_app_data(rid) == {}
    assert unit.status == ["blocked", "invalid tempo-http-url or tempo-grpc-url"]


# -- the built hook files, end to end -----------------------------------------

def test_built_hook_files_run_end_to_end(make_unit):
    """runner="exec": Juju's way, each hook a process running the built charm's hook file."""
    unit = make_unit(runner="exec")
    unit.start()
    unit.relate("metrics", "mimir", units=1, app_data=MIMIR)
    assert workload_config(unit)["prometheus_url"] == MIMIR["direct_url"]
    assert unit.status == ["active", "ready"]


# -- what the harness refuses, and what every hook did ------------------------

def test_the_harness_refuses_what_juju_refuses(juju_unit):
    # relate() takes the endpoint of metadata.yaml, not the interface name ...
    with pytest.raises(JujuError, match='has no "prometheus_api" relation'):
        juju_unit.relate("prometheus_api", "mimir")
    # ... databags hold strings only ...
    with pytest.raises(JujuError, match="not a string"):
        juju_unit.relate("profile-store", "parca", app_data={"remote-store-insecure": False})
    # ... and `limit: 1` is a limit
    juju_unit.relate("metrics", "mimir", app_data=MIMIR)
    with pytest.raises(JujuError, match="would exceed its maximum relation limit of 1"):
        juju_unit.relate("metrics", "prometheus")


def test_every_hook_ends_with_one_status_set_from_the_flags(juju_unit):
    rid = juju_unit.relate("metrics", "mimir", units=1)
    assert [hook.statuses for hook in rid.hooks] == [
        [["blocked", "needs a metrics relation"]],  # relation-created: not joined yet
        [["waiting", "metrics: related, waiting for data"]],  # -joined
        [["waiting", "metrics: related, waiting for data"]]]  # -changed
    juju_unit.set_remote_app_data(rid, MIMIR)
    assert juju_unit.status_history[-1] == ["active", "ready"]
