"""cos_agent provides side (the principal), through whole hooks of the simulated Juju."""

import json
import os
import re

import pytest

from cos_agent.support import PRINCIPAL as EP
from cos_agent.support import published, write_files

APP = "observability-demo"
COLLECTOR_APP = "opentelemetry-collector"
COLLECTOR_UNIT = COLLECTOR_APP + "/0"
IDENT = "cos_0a1b2c3d_" + APP.replace("-", "_")
RULE = ("groups:\n  - name: demo\n    rules:\n      - alert: DemoDown\n"
        "        expr: up{%%juju_topology%%} == 0\n")
OTHER_RULE = ("groups:\n  - name: demo\n    rules:\n      - alert: DemoSlow\n"
              "        expr: rate(x[5m]) > 1\n")
DASHBOARD = json.dumps({"title": "Demo", "panels": []})
RECEIVERS = [
    {"protocol": {"name": "otlp_http", "type": "http"}, "url": "http://host:4318"},
    {"protocol": {"name": "otlp_grpc", "type": "grpc"}, "url": "host:4317"},
]


def act(unit, call, hook="update-status"):
    """A hook in which a charm handler calls ``call(endpoint)``; returns the HookResult."""
    return unit.run_hook(hook, action=lambda e: call(e(EP)))


def publish(unit, **kwargs):
    return act(unit, lambda ep: ep.publish(**kwargs))


def publish_catching(unit, **kwargs):
    """Like ``publish``; the ValueError the call raises is returned, not raised."""
    caught = {}

    def call(ep):
        try:
            ep.publish(**kwargs)
        except ValueError as e:
            caught["error"] = e

    result = act(unit, call)
    return result, caught.get("error")


def relate(unit, data=None):
    """A collector unit joins (its databag ``data``); returns the relation id."""
    return unit.relate(EP, COLLECTOR_APP, units=[COLLECTOR_UNIT],
                       unit_data={COLLECTOR_UNIT: data or {}})


def group_names(config):
    return [g["name"] for g in config["metrics_alert_rules"]["groups"]]


@pytest.fixture
def started(make_unit, own_charm):
    """``started(files=None, leader=True)``: a started unit of a charm with ``files``."""

    def make(files=None, leader=True):
        u = make_unit(charm=own_charm(files), leader=leader)
        u.start()
        return u

    return make


# --------------------------------------------------------------------------
# Publishing
# --------------------------------------------------------------------------

def test_provides_writes_nothing_before_publish_and_sets_joined(started):
    unit = started()
    rid = relate(unit)
    assert unit.local_unit_data(rid) == {} and unit.local_app_data(rid) == {}
    assert {EP + ".joined", EP + ".connected", EP + ".available"} <= unit.flags


@pytest.mark.parametrize("leader", [True, False])
def test_provides_every_unit_writes_its_own_unit_databag_on_every_relation(started, leader):
    unit = started({"src/prometheus_alert_rules/demo.rules": RULE}, leader=leader)
    unit.endpoints[EP]["limit"] = 0  # a charm whose cos-agent has no `limit: 1`, as upstream's
    rids = [relate(unit), unit.relate(EP, "grafana-agent", units=1)]
    publish(unit, metrics_endpoints=[{"path": "/metrics", "port": 9100}])
    for rid in rids:
        config = published(unit, rid)
        assert unit.local_app_data(rid) == {}
        assert config["metrics_scrape_jobs"] == [{
            "metrics_path": "/metrics", "static_configs": [{"targets": ["localhost:9100"]}],
            "job_name": APP + "_default_83b01065"}]
        assert group_names(config) == [IDENT + "_demo_rules", IDENT + "_HostHealth_rules"]
        assert config["metrics_alert_rules"]["groups"][0]["rules"][0]["expr"] == "up{} == 0"


def test_provides_relation_joining_later_gets_the_remembered_request(started):
    unit = started()
    publish(unit, log_slots=["demo:logs"])
    rid = relate(unit)
    assert published(unit, rid)["log_slots"] == ["demo:logs"]


def test_provides_same_request_again_reads_and_writes_nothing(started):
    unit = started({"src/grafana_dashboards/demo.json": DASHBOARD})
    rid = relate(unit)
    first = publish(unit, log_slots=["demo:logs"])
    assert len(first.relation_sets) == 1
    again = publish(unit, log_slots=["demo:logs"])
    assert again.relation_sets == [] and again.tool_calls("relation-get") == []
    assert published(unit, rid)["dashboards"][0]["title"] == "Demo"


def test_provides_publishing_again_replaces_the_whole_config(started):
    unit = started()
    rid = relate(unit)
    publish(unit, log_slots=["demo:logs"], tracing_protocols=["otlp_http"])
    publish(unit, log_slots=["demo:audit"])
    config = published(unit, rid)
    assert config["log_slots"] == ["demo:audit"] and config["tracing_protocols"] is None


@pytest.mark.parametrize("kwargs,word", [
    ({"metrics_endpoints": [{"path": "/metrics"}]}, "port"),
    ({"tracing_protocols": ["carrier_pigeon"]}, "carrier_pigeon"),
    ({"tracing_protocols": [4318]}, "4318"),
    ({"scrape_configs": [{"job_name": 3}]}, "job_name"),
    ({"log_slots": "demo:logs"}, "log_slots"),
    ({"recurse_rules_dirs": "yes"}, "recurse_rules_dirs"),
    ({"extra_alert_groups": {"groups": "x"}}, "extra_alert_groups"),
    ({"scrape_configs": [{"scrape_interval": float("nan")}]}, "scrape_configs[0]"),
])
def test_provides_bad_arguments_raise_naming_them_and_keep_what_was_published(
        started, kwargs, word):
    unit = started()
    rid = relate(unit)
    publish(unit, log_slots=["demo:logs"])
    before = unit.local_unit_data(rid)
    result, error = publish_catching(unit, **kwargs)
    assert isinstance(error, ValueError) and word in str(error)
    assert result.relation_sets == [] and unit.local_unit_data(rid) == before


def test_provides_dashboard_that_is_not_json_raises_and_writes_nothing(started):
    unit = started({"src/grafana_dashboards/README.md": "# dashboards\n"})
    rid = relate(unit)
    _, error = publish_catching(unit)
    assert "src/grafana_dashboards/README.md" in str(error)
    assert unit.local_unit_data(rid) == {}


def test_provides_rules_file_that_does_not_parse_is_skipped_with_a_warning(started):
    unit = started({"src/prometheus_alert_rules/bad.rules": "groups: [\n",
                    "src/prometheus_alert_rules/good.rules": RULE})
    rid = relate(unit)
    result = publish(unit)
    assert group_names(published(unit, rid)) == [IDENT + "_demo_rules", IDENT + "_HostHealth_rules"]
    assert [w for w in result.warnings if "bad.rules" in w and "YAML" in w]


def test_provides_malformed_rules_file_raises_naming_it(started):
    unit = started({"src/prometheus_alert_rules/bad.rules": "groups:\n  - rules: []\n"})
    relate(unit)
    _, error = publish_catching(unit)
    assert "bad.rules" in str(error) and "name" in str(error)


def test_provides_dashboard_dir_as_absolute_path_gets_the_relative_uid(started):
    unit = started({"files/dashboards/d.json": DASHBOARD})
    rid = relate(unit)
    publish(unit, dashboard_dirs=[unit.charm_dir + "/files/dashboards"])
    relative = started({"files/dashboards/d.json": DASHBOARD})
    rid2 = relate(relative)
    publish(relative, dashboard_dirs=["./files/dashboards"])
    uid = published(unit, rid)["dashboards"][0]["uid"]
    assert uid == published(relative, rid2)["dashboards"][0]["uid"] and len(uid) == 40


# --------------------------------------------------------------------------
# Files read again, and what costs nothing
# --------------------------------------------------------------------------

def test_provides_upgrade_charm_with_changed_rule_files_publishes_them(started):
    unit = started({"src/prometheus_alert_rules/demo.rules": RULE})
    rid = relate(unit)
    publish(unit)
    write_files(unit.charm_dir, {"src/prometheus_alert_rules/demo.rules": OTHER_RULE,
                                 "src/loki_alert_rules/logs.rule":
                                     "alert: Panic\nexpr: 'count_over_time({%%juju_topology%%}[1m])'\n"})
    result = unit.run_hook("upgrade-charm")
    config = published(unit, rid)
    assert len(result.relation_sets) == 1
    assert config["metrics_alert_rules"]["groups"][0]["rules"][0]["alert"] == "DemoSlow"
    assert config["log_alert_rules"]["groups"][0]["rules"][0]["expr"] == \
        'count_over_time({job=~".+"}[1m])'


def test_provides_config_changed_reads_files_again(started):
    unit = started()
    rid = relate(unit)
    publish(unit)
    write_files(unit.charm_dir, {"src/grafana_dashboards/new.json": DASHBOARD})
    unit.set_config()
    assert [d["title"] for d in published(unit, rid)["dashboards"]] == ["Demo"]


@pytest.mark.parametrize("hook", ["upgrade-charm", "config-changed"])
def test_provides_unchanged_files_write_nothing_when_read_again(started, hook):
    unit = started({"src/prometheus_alert_rules/demo.rules": RULE,
                    "src/grafana_dashboards/demo.json": DASHBOARD})
    relate(unit)
    publish(unit)
    result = unit.run_hook(hook)
    assert result.relation_sets == []
    if hook == "config-changed":  # upgrade-charm reads the databags again (resync)
        assert result.tool_calls("relation-get") == []


@pytest.fixture
def compressions(monkeypatch):
    """How many times a hook LZMA-compressed something (the dashboards), in a list."""
    import lzma

    real, calls = lzma.compress, []

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(lzma, "compress", counted)
    return calls


def test_provides_upgrade_charm_with_unchanged_files_recompresses_nothing(started, compressions):
    unit = started({"src/grafana_dashboards/a.json": DASHBOARD,
                    "src/grafana_dashboards/b.json": DASHBOARD})
    rid = relate(unit)
    publish(unit)
    assert len(compressions) == 2
    os.utime(os.path.join(unit.charm_dir, "src/grafana_dashboards/a.json"), ns=(1, 1))
    unit.run_hook("upgrade-charm")  # a new charm: every file touched, none changed
    unit.run_hook("config-changed")
    publish(unit)
    assert len(compressions) == 2
    write_files(unit.charm_dir, {"src/grafana_dashboards/b.json": DASHBOARD.replace("Demo", "B")})
    unit.run_hook("upgrade-charm")
    assert len(compressions) == 4
    assert sorted(d["title"] for d in published(unit, rid)["dashboards"]) == ["B", "Demo"]


def test_provides_dashboard_rendered_in_config_changed_is_published_in_that_hook(started):
    unit = started({"src/grafana_dashboards/demo.json": DASHBOARD})
    rid = relate(unit)
    publish(unit)

    def render_then_publish(ep):
        write_files(unit.charm_dir, {"src/grafana_dashboards/demo.json": json.dumps(
            {"title": "Rendered " + unit.state["config"].get("name", ""), "panels": []})})
        ep.publish()

    unit.edit(lambda state: state["config"].update(name="one"))
    result = act(unit, render_then_publish, hook="config-changed")
    assert len(result.relation_sets) == 1
    assert [d["title"] for d in published(unit, rid)["dashboards"]] == ["Rendered one"]
    unit.edit(lambda state: state["config"].update(name="two"))
    act(unit, render_then_publish, hook="config-changed")
    assert [d["title"] for d in published(unit, rid)["dashboards"]] == ["Rendered two"]
    again = act(unit, render_then_publish, hook="config-changed")  # same text: no write
    assert again.relation_sets == []


def test_provides_arguments_equal_in_python_but_not_in_json_are_published(started):
    unit = started()
    rid = relate(unit)
    job = {"static_configs": [{"targets": ["localhost:1"]}]}
    publish(unit, scrape_configs=[dict(job, honor_labels=True)])
    first = published(unit, rid)["metrics_scrape_jobs"]
    result = publish(unit, scrape_configs=[dict(job, honor_labels=1)])
    assert len(result.relation_sets) == 1
    second = published(unit, rid)["metrics_scrape_jobs"]
    assert second[0]["honor_labels"] == 1 and second[0]["honor_labels"] is not True
    assert first[0]["job_name"] != second[0]["job_name"]
    assert publish(unit, scrape_configs=[dict(job, honor_labels=1)]).relation_sets == []


@pytest.mark.parametrize("name,word", [(None, "None"), ("", ""), ("db", "db")])
def test_provides_job_names_are_upstream_s_for_null_empty_and_given_names(started, name, word):
    unit = started()
    rid = relate(unit)
    job = {"job_name": name, "static_configs": [{"targets": ["localhost:1"]}]}
    publish(unit, scrape_configs=[job])
    [published_job] = published(unit, rid)["metrics_scrape_jobs"]
    assert re.fullmatch(APP + "_" + word + "_[0-9a-f]{8}", published_job["job_name"])
    missing = {"static_configs": [{"targets": ["localhost:1"]}]}
    publish(unit, scrape_configs=[missing])
    [published_job] = published(unit, rid)["metrics_scrape_jobs"]
    assert re.fullmatch(APP + "_default_[0-9a-f]{8}", published_job["job_name"])


def test_provides_upgrade_charm_reads_receivers_and_rewrites_a_databag_left_otherwise(started):
    unit = started()
    rid = relate(unit)
    publish(unit, tracing_protocols=["otlp_http"])
    want = unit.local_unit_data(rid)
    num = rid.split(":")[1]

    def refreshed(state):  # what a charm refreshed from another layer finds
        state["relations"][num]["local_unit"].pop("config")
        state["relations"][num]["units"][COLLECTOR_UNIT]["receivers"] = json.dumps(RECEIVERS)

    unit.edit(refreshed)
    result = unit.run_hook("upgrade-charm")
    assert len(result.relation_sets) == 1 and unit.local_unit_data(rid) == want
    seen = {}
    act(unit, lambda ep: seen.update(url=ep.get_tracing_endpoint("otlp_http")))
    assert seen["url"] == "http://host:4318"
    assert EP + ".tracing.available" in unit.flags


@pytest.mark.parametrize("leader", [True, False])
def test_provides_update_status_and_leadership_changes_cost_nothing(started, leader):
    unit = started({"src/grafana_dashboards/demo.json": DASHBOARD}, leader=leader)
    relate(unit)
    publish(unit)
    for result in (unit.run_hook("update-status"), unit.set_leader(not leader),
                   unit.set_leader(leader)):
        assert result.relation_sets == [] and result.tool_calls("relation-get") == [], result.name


def test_provides_file_made_unusable_by_an_upgrade_keeps_the_published_config(started):
    unit = started({"src/grafana_dashboards/demo.json": DASHBOARD})
    rid = relate(unit)
    publish(unit)
    before = unit.local_unit_data(rid)
    write_files(unit.charm_dir, {"src/grafana_dashboards/demo.json": "{not json"})
    result = unit.run_hook("upgrade-charm")
    assert result.error is None and result.relation_sets == []
    assert unit.local_unit_data(rid) == before
    assert [m for level, m in result.logs if level == "ERROR" and "demo.json" in m]


# --------------------------------------------------------------------------
# unpublish
# --------------------------------------------------------------------------

def test_provides_unpublish_removes_config_everywhere_and_forgets_the_request(started):
    unit = started()
    unit.endpoints[EP]["limit"] = 0  # a charm whose cos-agent has no `limit: 1`, as upstream's
    rids = [relate(unit), unit.relate(EP, "grafana-agent", units=1)]
    publish(unit, log_slots=["demo:logs"])
    act(unit, lambda ep: ep.unpublish())
    assert [unit.local_unit_data(rid) for rid in rids] == [{}, {}]
    later = unit.relate(EP, "late", units=1)
    unit.run_hook("upgrade-charm")
    assert unit.local_unit_data(later) == {}
    again = act(unit, lambda ep: ep.unpublish())
    assert again.relation_sets == []


# --------------------------------------------------------------------------
# Tracing
# --------------------------------------------------------------------------

def test_provides_tracing_endpoint_from_the_collector_receivers(started):
    unit = started()
    rid = relate(unit)
    publish(unit, tracing_protocols=["otlp_http", "otlp_grpc"])
    assert EP + ".tracing.available" not in unit.flags
    assert published(unit, rid)["tracing_protocols"] == ["otlp_http", "otlp_grpc"]
    unit.set_remote_unit_data(rid, COLLECTOR_UNIT, {"receivers": json.dumps(RECEIVERS)})
    seen = {}
    act(unit, lambda ep: seen.update(http=ep.get_tracing_endpoint("otlp_http"),
                                     grpc=ep.get_tracing_endpoint("otlp_grpc"),
                                     zipkin=ep.get_tracing_endpoint("zipkin")))
    assert seen == {"http": "http://host:4318", "grpc": "host:4317", "zipkin": None}
    assert {EP + ".tracing.available", EP + ".tracing.changed"} <= unit.flags


def test_provides_tracing_changed_follows_the_urls_until_the_collector_goes(started):
    unit = started()
    rid = relate(unit, {"receivers": json.dumps(RECEIVERS)})
    publish(unit, tracing_protocols=["otlp_http"])
    assert {EP + ".tracing.available", EP + ".tracing.changed"} <= unit.flags
    unit.clear_flag(EP + ".tracing.changed")
    moved = [RECEIVERS[0], dict(RECEIVERS[1], url="elsewhere:4317")]
    unit.set_remote_unit_data(rid, COLLECTOR_UNIT, {"receivers": json.dumps(moved)})
    assert EP + ".tracing.changed" not in unit.flags  # otlp_grpc is not asked for
    unit.set_remote_unit_data(rid, COLLECTOR_UNIT, {"receivers": json.dumps(RECEIVERS[1:])})
    assert EP + ".tracing.changed" in unit.flags  # otlp_http is gone
    assert EP + ".tracing.available" not in unit.flags
    unit.clear_flag(EP + ".tracing.changed")
    unit.set_remote_unit_data(rid, COLLECTOR_UNIT, {"receivers": json.dumps(RECEIVERS)})
    assert {EP + ".tracing.available", EP + ".tracing.changed"} <= unit.flags
    unit.clear_flag(EP + ".tracing.changed")
    unit.remove_relation(rid)
    assert EP + ".tracing.available" not in unit.flags
    assert EP + ".tracing.changed" in unit.flags
    assert not {EP + ".joined", EP + ".connected", EP + ".available"} & unit.flags


def test_provides_receivers_the_principal_cannot_read_warn_once_and_mean_not_ready(started):
    unit = started()
    rid = relate(unit)
    publish(unit, tracing_protocols=["otlp_http"])
    bad = unit.set_remote_unit_data(rid, COLLECTOR_UNIT, {"receivers": "otlp_http"})
    assert bad.error is None
    assert [w for w in bad.warnings if rid in w and "receivers" in w]
    again = unit.set_remote_unit_data(rid, COLLECTOR_UNIT, {"other": "x"})
    assert not [w for w in again.warnings if "receivers" in w]
    seen = {}
    act(unit, lambda ep: seen.update(url=ep.get_tracing_endpoint("otlp_http"),
                                     receivers=ep.receivers))
    assert seen == {"url": None, "receivers": None}
    assert EP + ".tracing.available" not in unit.flags


def test_provides_receivers_without_url_mean_ready_but_no_endpoint(started):
    unit = started()
    rid = relate(unit)
    publish(unit, tracing_protocols=["otlp_http"])
    null = [{"protocol": {"name": "otlp_http", "type": "http"}, "url": None}]
    unit.set_remote_unit_data(rid, COLLECTOR_UNIT, {"receivers": json.dumps(null)})
    seen = {}
    act(unit, lambda ep: seen.update(url=ep.get_tracing_endpoint("otlp_http"),
                                     receivers=ep.receivers))
    assert seen == {"url": None, "receivers": null}
    assert EP + ".tracing.available" not in unit.flags


# --------------------------------------------------------------------------
# The older interface:cos-agent layer's API
# --------------------------------------------------------------------------

def test_provides_update_cos_agent_publishes_metrics_endpoints_and_their_dashboards(started):
    unit = started({"files/dashboards/d.json": DASHBOARD})
    rid = relate(unit)

    def call(ep):
        ep.update_cos_agent([ep.MetricsEndpoint(port=9476, dashboards_dir=unit.charm_dir
                                                + "/files/dashboards"),
                             ep.MetricsEndpoint(port=9477, path="/m", host="127.0.0.1",
                                                job_name="other")])

    act(unit, call)
    config = published(unit, rid)
    assert [(j["job_name"].rsplit("_", 1)[0], j["static_configs"], j["metrics_path"])
            for j in config["metrics_scrape_jobs"]] == [
        (APP + "_default", [{"targets": ["localhost:9476"]}], "/metrics"),
        (APP + "_other", [{"targets": ["127.0.0.1:9477"]}], "/m"),
    ]
    assert [d["title"] for d in config["dashboards"]] == ["Demo"]
    assert group_names(config) == [IDENT + "_HostHealth_rules"]


def test_provides_old_flags_connected_and_available_clear_on_departure(started):
    unit = started()
    rid = relate(unit)
    assert {EP + ".connected", EP + ".available"} <= unit.flags
    unit.remove_unit(rid, COLLECTOR_UNIT)
    assert not {EP + ".connected", EP + ".available"} & unit.flags
