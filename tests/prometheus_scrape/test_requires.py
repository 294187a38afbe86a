"""prometheus_scrape requires side (the Prometheus side), through whole hooks of the simulated
Juju."""

import json

import pytest

EP = "metrics-targets"
AVAILABLE, CHANGED, INVALID = (EP + ".available", EP + ".changed", EP + ".invalid")
PUBLIC = {AVAILABLE, CHANGED, INVALID}
JOINED = EP + ".joined"
UUID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
INSTANCE = {"source_labels": ["juju_model", "juju_model_uuid", "juju_application", "juju_unit"],
            "separator": "_", "target_label": "instance", "regex": "(.*)"}
NO_UNIT_INSTANCE = dict(INSTANCE, source_labels=INSTANCE["source_labels"][:3])
RULES = {"groups": [{"name": "g", "rules": [{"alert": "A", "expr": "up{%%juju_topology%%,x=\"1\"} < 1",
                                             "labels": {"juju_model": "cos", "juju_model_uuid": UUID,
                                                        "juju_application": "t"}}]}]}


def app_data(app, jobs=None, rules=None):
    """What an upstream target's leader writes."""
    bag = {
        "scrape_metadata": json.dumps({"model": "cos", "model_uuid": UUID, "application": app,
                                       "unit": app + "/0", "charm_name": app}),
        "scrape_jobs": json.dumps(jobs if jobs is not None else [
            {"metrics_path": "/metrics", "static_configs": [{"targets": ["*:9100"]}]}]),
    }
    if rules is not None:
        bag["alert_rules"] = json.dumps(rules)
    return bag


def unit_data(name, address, fqdn=None, path=None):
    bag = {"prometheus_scrape_unit_address": address, "prometheus_scrape_unit_name": name}
    if fqdn:
        bag["prometheus_scrape_unit_fqdn"] = fqdn
    if path:
        bag["prometheus_scrape_unit_path"] = path
    return bag


def labels(app, unit=None):
    out = {"juju_model": "cos", "juju_model_uuid": UUID, "juju_application": app,
           "juju_charm": app}
    if unit:
        out["juju_unit"] = unit
    return out


def unit_job(app, unit, target, name=None, path="/metrics"):
    """The job Prometheus builds for one unit of a ``*:port`` job of ``app``."""
    return {"metrics_path": path,
            "static_configs": [{"targets": [target], "labels": labels(app, unit)}],
            "job_name": "juju_cos_0a1b2c3d_{}_prometheus_scrape{}-{}".format(
                app, "_" + name if name else "", unit.rsplit("/", 1)[1]),
            "relabel_configs": [INSTANCE]}


def read(unit):
    """Run a hook in which a charm handler reads the endpoint."""
    seen = {}

    def act(endpoint_from_name):
        endpoint = endpoint_from_name(EP)
        seen["jobs"] = endpoint.jobs()
        seen["alerts"] = endpoint.alerts
        seen["reasons"] = endpoint.invalid_reasons

    unit.run_hook("update-status", action=act)
    return seen


def test_requires_sets_no_flag_before_any_relation(unit):
    assert not unit.flags & PUBLIC
    assert read(unit) == {"jobs": [], "alerts": {}, "reasons": {}}


def test_requires_waits_while_the_target_has_published_nothing(unit):
    rid = unit.relate(EP, "t", units=1)
    assert JOINED in unit.flags and not unit.flags & PUBLIC
    assert read(unit)["jobs"] == []
    assert unit.local_app_data(rid) == {}  # nothing read, nothing written back


def test_requires_splits_a_wildcard_job_per_unit_and_writes_the_event_back(unit):
    rid = unit.relate(EP, "t", units=["t/0", "t/1"], app_data=app_data("t"), unit_data={
        "t/0": unit_data("t/0", "10.1.0.1"), "t/1": unit_data("t/1", "10.1.0.2")})
    assert {AVAILABLE, CHANGED, JOINED} <= unit.flags and INVALID not in unit.flags
    assert read(unit)["jobs"] == [unit_job("t", "t/0", "10.1.0.1:9100"),
                                  unit_job("t", "t/1", "10.1.0.2:9100")]
    assert unit.local_app_data(rid) == {"event": "{}"}


def test_requires_matches_fixed_targets_to_units_and_keeps_the_rest_together(unit):
    jobs = [{"job_name": "fx", "static_configs": [{"targets": [
        "T-1.lxd:9100", "t-0.lxd:9100", "10.1.0.2:7000", "db.example:5432"]}]}]
    unit.relate(EP, "t", units=["t/0", "t/1"], app_data=app_data("t", jobs), unit_data={
        "t/0": unit_data("t/0", "10.1.0.1", fqdn="t-0.lxd"),
        "t/1": unit_data("t/1", "10.1.0.2", fqdn="t-1.lxd")})
    got = read(unit)["jobs"]
    # a target host is lower-cased before it is compared: T-1.lxd names t/1
    assert got == [
        {"metrics_path": "/metrics",
         "static_configs": [{"targets": ["db.example:5432"], "labels": labels("t")}],
         "job_name": "juju_cos_0a1b2c3d_t_prometheus_scrape_fx",
         "relabel_configs": [NO_UNIT_INSTANCE]},
        unit_job("t", "t/0", "t-0.lxd:9100", name="fx"),
        dict(unit_job("t", "t/1", "T-1.lxd:9100", name="fx"), static_configs=[
            {"targets": ["T-1.lxd:9100", "10.1.0.2:7000"], "labels": labels("t", "t/1")}]),
    ]


def test_requires_puts_the_unit_path_in_front_of_the_metrics_path(unit):
    jobs = [{"metrics_path": "/m", "static_configs": [{"targets": ["*:443"]}]}]
    unit.relate(EP, "t", units=["t/0"], app_data=app_data("t", jobs),
                unit_data={"t/0": unit_data("t/0", "ingress.example", path="/cos-t-0")})
    assert read(unit)["jobs"] == [unit_job("t", "t/0", "ingress.example:443", path="/cos-t-0/m")]


def test_requires_brackets_ipv6_unit_addresses(unit):
    unit.relate(EP, "t", units=["t/0"], app_data=app_data("t"),
                unit_data={"t/0": unit_data("t/0", "fd00::7")})
    assert read(unit)["jobs"][0]["static_configs"][0]["targets"] == ["[fd00::7]:9100"]


def test_requires_makes_repeated_names_unique_by_hash_and_merges_equal_jobs(unit):
    same = {"job_name": "x", "static_configs": [{"targets": ["*:1"]}]}
    for app in ("a", "b"):  # the same topology twice: the names repeat across relations too
        unit.relate(EP, app, units=[f"{app}/0"], app_data=app_data("a", [same, same, dict(
            same, static_configs=[{"targets": ["*:2"]}])]),
            unit_data={f"{app}/0": unit_data("a/0", "10.1.0.1")})
    got = read(unit)["jobs"]
    names = [job["job_name"] for job in got]
    assert len(got) == 2 and len(set(names)) == 2
    for name in names:
        # within the relation, then over all relations: two hashes
        prefix, first, second = name.rsplit("_", 2)
        assert prefix == "juju_cos_0a1b2c3d_a_prometheus_scrape_x-0"
        assert len(first) == len(second) == 64


def test_requires_passes_jobs_on_as_received_without_metadata(unit):
    jobs = [{"job_name": "raw", "honor_labels": True, "static_configs": [{"targets": ["*:1"]}]}]
    unit.relate(EP, "t", units=["t/0"], app_data={"scrape_jobs": json.dumps(jobs)})
    assert read(unit)["jobs"] == jobs


def test_requires_sets_the_fallback_protocol_on_every_job(unit):
    unit.relate(EP, "t", units=["t/0"], app_data=app_data("t"),
                unit_data={"t/0": unit_data("t/0", "10.1.0.1")})
    seen = {}

    def act(e):
        e(EP).set_fallback_scrape_protocol("PrometheusText0.0.4")
        seen["jobs"] = e(EP).jobs()

    unit.run_hook("update-status", action=act)
    assert [job["fallback_scrape_protocol"] for job in seen["jobs"]] == ["PrometheusText0.0.4"]
    assert list(seen["jobs"][0])[-1] == "fallback_scrape_protocol"


def test_requires_keys_alert_rules_by_topology_endpoint_and_relation(unit):
    rid = unit.relate(EP, "t", units=["t/0"], app_data=app_data("t", rules=RULES),
                      unit_data={"t/0": unit_data("t/0", "10.1.0.1")})
    alerts = read(unit)["alerts"]
    key = "cos_0a1b2c3d_t_{}_{}".format(EP, rid.split(":")[1])
    assert list(alerts) == [key]
    # the placeholder and the comma after it go where the rule has the topology labels
    assert alerts[key]["groups"][0]["rules"][0]["expr"] == 'up{x="1"} < 1'


def test_requires_alerts_alone_make_the_endpoint_available(unit):
    unit.relate(EP, "t", units=["t/0"], app_data={"alert_rules": json.dumps(RULES)})
    assert AVAILABLE in unit.flags
    assert read(unit)["jobs"] == []


def test_requires_last_unit_leaving_clears_everything_but_changed(unit):
    rid = unit.relate(EP, "t", units=["t/0"], app_data=app_data("t", rules=RULES),
                      unit_data={"t/0": unit_data("t/0", "10.1.0.1")})
    unit.clear_flag(CHANGED)
    assert unit.remove_unit(rid, "t/0").error is None
    assert unit.flags & (PUBLIC | {JOINED}) == {CHANGED}
    assert unit.kv(f"interface.prometheus_scrape.{EP}.relation.") == {}
    assert read(unit)["jobs"] == [] and read(unit)["alerts"] == {}


def test_requires_sets_changed_only_when_what_it_exposes_changes(unit):
    rid = unit.relate(EP, "t", units=["t/0"], app_data=app_data("t"),
                      unit_data={"t/0": unit_data("t/0", "10.1.0.1")})
    unit.clear_flag(CHANGED)
    unit.set_remote_app_data(rid, {"colour": "blue"})
    unit.set_remote_unit_data(rid, "t/0", {"whatever": "1"})
    unit.run_hook("upgrade-charm")
    assert CHANGED not in unit.flags
    unit.set_remote_unit_data(rid, "t/0", {"prometheus_scrape_unit_address": "10.1.0.9"})
    assert CHANGED in unit.flags


def test_requires_relation_hook_rereads_only_that_relation(unit):
    first = unit.relate(EP, "a", units=["a/0"], app_data=app_data("a"),
                        unit_data={"a/0": unit_data("a/0", "10.1.0.1")})
    unit.relate(EP, "b", units=["b/0"], app_data=app_data("b"),
                unit_data={"b/0": unit_data("b/0", "10.2.0.1")})
    result = unit.set_remote_unit_data(first, "a/0", {"prometheus_scrape_unit_address": "10.1.0.5"})
    # the framework reads every unit's databag; the layer reads application data of the
    # hook's relation only
    got = [c for c in result.tool_calls("relation-get") if "--app" in c]
    assert got and all(c[c.index("-r") + 1] == first for c in got)


def test_requires_non_leader_writes_no_event(make_unit):
    unit = make_unit(leader=False)
    unit.start()
    rid = unit.relate(EP, "t", units=["t/0"], app_data=app_data("t"),
                      unit_data={"t/0": unit_data("t/0", "10.1.0.1")})
    assert AVAILABLE in unit.flags and unit.local_app_data(rid) == {}
    unit.set_leader(True)  # leader-elected: the new leader writes it
    assert unit.local_app_data(rid) == {"event": "{}"}


def test_requires_event_keeps_other_keys_and_drops_the_errors(unit):
    rid = unit.relate(EP, "t", units=["t/0"], app_data=app_data("t"),
                      unit_data={"t/0": unit_data("t/0", "10.1.0.1")})
    unit.edit(lambda s: s["relations"][rid.split(":")[1]]["local_app"].update(
        event=json.dumps({"errors": "old", "scrape_job_errors": "old", "note": "kept"})))
    unit.set_remote_unit_data(rid, "t/0", {"x": "1"})
    assert json.loads(unit.local_app_data(rid)["event"]) == {"note": "kept"}


@pytest.mark.parametrize("bag,key", [
    ({"scrape_jobs": "[{"}, "scrape_jobs"),
    ({"scrape_jobs": '{"static_configs": []}'}, "scrape_jobs"),
    ({"scrape_jobs": '["*:80"]'}, "scrape_jobs"),
    ({"scrape_jobs": '[{"static_configs": [{"targets": "*:80"}]}]'}, "scrape_jobs"),
    ({"scrape_jobs": '[{"job_name": 3}]'}, "scrape_jobs"),
    ({"scrape_jobs": "[NaN]"}, "scrape_jobs"),
    ({"scrape_jobs": "[" * 5000 + "]" * 5000}, "scrape_jobs"),
    ({"scrape_jobs": "[" + "{}," * 1_000_000 + "{}]"}, "scrape_jobs"),  # too many values
    ({"scrape_metadata": "nope"}, "scrape_metadata"),
    ({"scrape_metadata": json.dumps({"model": "cos", "model_uuid": "not-a-uuid",
                                     "application": "bad"})}, "scrape_metadata"),
    ({"scrape_metadata": json.dumps({"model": "cos", "model_uuid": UUID})}, "scrape_metadata"),
    ({"alert_rules": "groups: []"}, "alert_rules"),
    ({"alert_rules": '{"groups": [{"name": "g"}]}'}, "alert_rules"),
    ({"alert_rules": '{"groups": [{"name": "g", "rules": []}]}'}, "alert_rules"),
    ({"alert_rules": json.dumps({"groups": [{"name": "g", "rules": [{"expr": "up", "labels": {
        "juju_model": "m", "juju_model_uuid": "bad", "juju_application": "a"}}]}]})},
     "alert_rules"),
])
def test_requires_skips_and_reports_a_relation_with_bad_data(unit, bag, key):
    good = unit.relate(EP, "good", units=["good/0"], app_data=app_data("good", rules=RULES),
                       unit_data={"good/0": unit_data("good/0", "10.1.0.1")})
    rid = unit.relate(EP, "bad", units=["bad/0"], app_data=app_data("bad"),
                      unit_data={"bad/0": unit_data("bad/0", "10.2.0.1")})
    result = unit.set_remote_app_data(rid, bag)
    assert result.error is None
    assert {AVAILABLE, INVALID} <= unit.flags
    assert len(result.warnings) == 1
    assert rid in result.warnings[0] and key in result.warnings[0]
    seen = read(unit)
    assert list(seen["reasons"]) == [rid]
    assert {job["job_name"] for job in seen["jobs"]} == {
        "juju_cos_0a1b2c3d_good_prometheus_scrape-0"}
    assert len(seen["alerts"]) == 1 and good.split(":")[1] in list(seen["alerts"])[0]


def test_requires_refuses_a_relation_that_expands_to_too_many_jobs(unit):
    # 2,001 jobs of 10 wildcard static configs, on one unit: 20,010 jobs
    jobs = [{"job_name": f"j{i}", "static_configs": [{"targets": ["*:1"]}] * 10}
            for i in range(2001)]
    unit.relate(EP, "t", units=["t/0"], app_data=app_data("t", jobs),
                unit_data={"t/0": unit_data("t/0", "10.1.0.1")})
    assert INVALID in unit.flags and AVAILABLE not in unit.flags
    assert "once split per unit" in list(read(unit)["reasons"].values())[0]
