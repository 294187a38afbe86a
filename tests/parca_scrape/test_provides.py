"""parca_scrape provides side (the profiling target), through whole hooks of the simulated Juju."""

import json

import pytest

from jujusim.driver import HookFailed

EP = "profiling-endpoint"
JOINED = EP + ".joined"
APP = "observability-demo"
UNIT = APP + "/0"
ADDRESS = "10.0.0.10"
METADATA = {"model": "cos", "model_uuid": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
            "application": APP, "unit": UNIT, "charm_name": APP}
JOBS = [{"job_name": "pprof", "static_configs": [{"targets": ["*:7070"]}]}]
UNIT_BAG = {"parca_scrape_unit_address": ADDRESS, "parca_scrape_unit_name": UNIT}


def publish(unit, jobs=None):
    """A hook in which a charm handler calls update_scrape_job_spec(); returns the HookResult."""
    return unit.run_hook("update-status",
                         action=lambda e: e(EP).update_scrape_job_spec(jobs))


def app_bag(unit, rid):
    """Our application databag with its JSON values decoded."""
    return {k: json.loads(v) for k, v in unit.local_app_data(rid).items()}


def rel_key(rid):
    return rid.split(":")[1]


@pytest.fixture
def leader(make_unit):
    u = make_unit(leader=True, address=ADDRESS)
    u.start()
    return u


def test_provides_unit_data_is_written_on_join_before_any_call(leader):
    rid = leader.relate(EP, "parca", units=1)
    assert leader.local_unit_data(rid) == UNIT_BAG
    assert leader.local_app_data(rid) == {}
    assert JOINED in leader.flags


def test_provides_leader_writes_jobs_and_topology_to_every_relation(leader):
    rids = [leader.relate(EP, "parca", units=1), leader.relate(EP, "parca-two", units=2)]
    publish(leader, JOBS)
    for rid in rids:
        assert app_bag(leader, rid) == {"scrape_jobs": JOBS, "scrape_metadata": METADATA}
        assert leader.local_unit_data(rid) == UNIT_BAG


def test_provides_no_jobs_publishes_the_default_job(leader):
    rid = leader.relate(EP, "parca", units=1)
    publish(leader, None)
    assert app_bag(leader, rid)["scrape_jobs"] == [{"static_configs": [{"targets": ["*:80"]}]}]


def test_provides_sanitises_jobs_to_the_allowed_keys(leader):
    rid = leader.relate(EP, "parca", units=1)
    publish(leader, [{"job_name": "j", "metrics_path": "/x", "relabel_configs": [],
                      "scheme": "https"},
                     {"static_configs": [{"targets": ["[fd00::1]:7000", "*:8000"],
                                          "labels": {"k": "v"}}]}])
    assert app_bag(leader, rid)["scrape_jobs"] == [
        {"job_name": "j", "scheme": "https", "static_configs": [{"targets": ["*:80"]}]},
        {"static_configs": [{"targets": ["[fd00::1]:7000", "*:8000"], "labels": {"k": "v"}}]},
    ]


def test_provides_relation_joining_later_gets_the_jobs(leader):
    publish(leader, JOBS)
    rid = leader.relate(EP, "parca", units=1)
    assert app_bag(leader, rid) == {"scrape_jobs": JOBS, "scrape_metadata": METADATA}
    assert leader.local_unit_data(rid) == UNIT_BAG


def test_provides_repeated_call_writes_nothing(leader):
    rid = leader.relate(EP, "parca", units=1)
    publish(leader, JOBS)
    result = publish(leader, [dict(JOBS[0])])
    assert result.relation_sets == []
    assert app_bag(leader, rid)["scrape_jobs"] == JOBS


def test_provides_hooks_with_nothing_new_write_nothing(leader):
    rid = leader.relate(EP, "parca", units=1)
    publish(leader, JOBS)
    hooks = [leader.run_hook(h) for h in ("update-status", "config-changed", "leader-elected",
                                          "upgrade-charm", "start")]
    hooks.append(leader.add_unit(rid, "parca/1"))
    hooks.append(leader.set_remote_app_data(rid, {"anything": "x"}))
    hooks.append(leader.set_remote_unit_data(rid, "parca/0", {"other": "y"}))
    hooks.append(leader.remove_unit(rid, "parca/1"))
    for result in hooks:
        assert result.relation_sets == [], result.name


def test_provides_changed_jobs_rewrite_only_scrape_jobs(leader):
    rid = leader.relate(EP, "parca", units=1)
    publish(leader, JOBS)
    result = publish(leader, [{"static_configs": [{"targets": ["*:9090"]}]}])
    assert len(result.relation_sets) == 1
    args = result.relation_sets[0]
    assert "--app" in args
    assert app_bag(leader, rid)["scrape_jobs"] == [{"static_configs": [{"targets": ["*:9090"]}]}]
    assert app_bag(leader, rid)["scrape_metadata"] == METADATA


def _deeply_nested(depth=5000):
    """A JSON-able object nested deeper than Python's recursion limit."""
    top = current = {}
    for _ in range(depth):
        current["x"] = {}
        current = current["x"]
    return top


DEEP = _deeply_nested()


@pytest.mark.parametrize("jobs,message", [
    ("*:80", "jobs: expected a list"),
    ({"static_configs": []}, "jobs: expected a list"),
    (["*:80"], "job 0: expected an object"),
    ([JOBS[0], {"job_name": "nope", "static_configs": [{"targets": ["host"]}]}],
     "job 1 ('nope')"),
    ([{"static_configs": [{"targets": ["*:http"]}]}], "job 0, static_configs[0]"),
    ([{"static_configs": [{"targets": ["*:70000"]}]}], "'*:70000'"),
    ([{"static_configs": [{"targets": ["*"]}]}], "is not host:port or *:port"),
    ([{"static_configs": [{"targets": ["a b:80"]}]}], "is not host:port or *:port"),
    ([{"static_configs": [{"targets": [8080]}]}], "is not a string"),
    ([{"static_configs": [{"targets": []}]}], "'targets' must be a non-empty list"),
    ([{"static_configs": {"targets": ["*:80"]}}], "'static_configs' must be a list"),
    ([{"static_configs": [{"targets": ["*:80"], "labels": {"k": 1}}]}], "'labels'"),
    ([{"job_name": 3}], "'job_name' must be a string"),
    ([{"profiling_config": DEEP}], "job 0: cannot be encoded as JSON"),
    ([{"tls_config": {"ca": float("nan")}}], "job 0: cannot be encoded as JSON"),
])
def test_provides_malformed_jobs_raise_value_error_naming_the_job(leader, jobs, message):
    rid = leader.relate(EP, "parca", units=1)
    caught = {}

    def act(e):
        try:
            e(EP).update_scrape_job_spec(jobs)
        except ValueError as err:
            caught["error"] = err

    result = leader.run_hook("update-status", action=act)
    assert message in str(caught["error"])
    assert result.relation_sets == []
    assert leader.local_app_data(rid) == {}


def test_provides_malformed_jobs_keep_what_was_published_before(leader):
    rid = leader.relate(EP, "parca", units=1)
    publish(leader, JOBS)
    with pytest.raises(HookFailed, match="job 0"):
        publish(leader, [{"static_configs": [{"targets": ["nope"]}]}])
    assert app_bag(leader, rid)["scrape_jobs"] == JOBS
    leader.run_hook("upgrade-charm")
    assert app_bag(leader, rid)["scrape_jobs"] == JOBS


def test_provides_non_leader_writes_unit_data_only_until_it_leads(make_unit):
    unit = make_unit(unit=APP + "/1", leader=False, address="10.0.0.11")
    unit.start()
    rid = unit.relate(EP, "parca", units=1)
    result = publish(unit, JOBS)
    assert result.error is None and result.relation_sets == []
    assert unit.local_app_data(rid) == {}
    assert unit.local_unit_data(rid) == {"parca_scrape_unit_address": "10.0.0.11",
                                         "parca_scrape_unit_name": APP + "/1"}
    result = unit.set_leader(True)
    assert len(result.relation_sets) == 1
    assert app_bag(unit, rid) == {"scrape_jobs": JOBS,
                                  "scrape_metadata": dict(METADATA, unit=APP + "/1")}


def test_provides_new_leader_rewrites_metadata_written_by_the_old_one(leader):
    rid = leader.relate(EP, "parca", units=1)
    publish(leader, JOBS)
    old = dict(METADATA, unit=APP + "/3")
    leader.edit(lambda s: s["relations"][rel_key(rid)]["local_app"].update(
        scrape_metadata=json.dumps(old), scrape_jobs=json.dumps([{"job_name": "stale"}])))
    leader.set_leader(True)
    assert app_bag(leader, rid) == {"scrape_jobs": JOBS, "scrape_metadata": METADATA}


def test_provides_unit_that_lost_leadership_stops_writing_app_data(leader):
    rid = leader.relate(EP, "parca", units=1)
    publish(leader, JOBS)
    leader.set_leader(False)
    result = publish(leader, None)
    assert result.error is None and result.relation_sets == []
    assert app_bag(leader, rid)["scrape_jobs"] == JOBS


def test_provides_upgrade_charm_writes_remembered_data(leader):
    rid = leader.relate(EP, "parca", units=1)
    publish(leader, JOBS)
    leader.edit(lambda s: s["relations"][rel_key(rid)].update(local_app={}))
    leader.run_hook("upgrade-charm")
    assert app_bag(leader, rid) == {"scrape_jobs": JOBS, "scrape_metadata": METADATA}


@pytest.mark.parametrize("hook", ["config-changed", "upgrade-charm"])
def test_provides_address_change_is_published_in_lifecycle_hooks(leader, hook):
    rid = leader.relate(EP, "parca", units=1)
    publish(leader, JOBS)

    def move(state):  # Juju updates the unit's ingress address on the relation
        state["relations"][rel_key(rid)]["local_unit"]["ingress-address"] = "10.0.9.9"

    leader.edit(move)
    result = leader.run_hook(hook)
    assert leader.local_unit_data(rid) == dict(UNIT_BAG, parca_scrape_unit_address="10.0.9.9")
    assert len(result.relation_sets) == 1
    assert leader.run_hook(hook).relation_sets == []


def test_provides_update_status_reads_nothing_and_leaves_the_address_to_config_changed(leader):
    """Juju fires config-changed when the unit's addresses change; update-status cannot."""
    rid = leader.relate(EP, "parca", units=1)
    publish(leader, JOBS)
    leader.edit(lambda s: s["relations"][rel_key(rid)]["local_unit"].update(
        {"ingress-address": "10.0.9.9"}))
    result = leader.run_hook("update-status")
    assert result.tool_calls("relation-get") == [] and result.relation_sets == []
    assert leader.local_unit_data(rid) == UNIT_BAG
    leader.run_hook("config-changed")
    assert leader.local_unit_data(rid) == dict(UNIT_BAG, parca_scrape_unit_address="10.0.9.9")


def test_provides_config_changed_reads_nothing_after_set_unit_address(leader):
    """An address the charm gave does not depend on Juju's: nothing to re-check."""
    rid = leader.relate(EP, "parca", units=1)
    leader.run_hook("update-status", action=lambda e: (
        e(EP).update_scrape_job_spec(JOBS), e(EP).set_unit_address("demo-0.example.com")))
    leader.edit(lambda s: s["relations"][rel_key(rid)]["local_unit"].update(
        {"ingress-address": "10.0.9.9"}))
    result = leader.run_hook("config-changed")
    assert result.tool_calls("relation-get") == [] and result.relation_sets == []
    assert leader.local_unit_data(rid)["parca_scrape_unit_address"] == "demo-0.example.com"
    seen = []
    leader.run_hook("update-status", action=lambda e: (
        seen.append(e(EP).unit_address), e(EP).set_unit_address(None),
        seen.append(e(EP).unit_address)))
    assert seen == ["demo-0.example.com", None]
    assert leader.local_unit_data(rid)["parca_scrape_unit_address"] == "10.0.9.9"


def test_provides_address_change_is_published_in_relation_hooks(leader):
    rid = leader.relate(EP, "parca", units=1)
    leader.edit(lambda s: s["relations"][rel_key(rid)]["local_unit"].update(
        {"ingress-address": "10.0.9.8"}))
    leader.set_remote_unit_data(rid, "parca/0", {"x": "1"})
    assert leader.local_unit_data(rid)["parca_scrape_unit_address"] == "10.0.9.8"


def test_provides_address_is_per_relation(leader):
    rid1 = leader.relate(EP, "parca", units=1)
    rid2 = leader.add_relation(EP, "parca-far", bind_address="192.168.7.7")
    leader.run_hook(EP + "-relation-created", rid=rid2)
    leader.add_unit(rid2, "parca-far/0")
    assert leader.local_unit_data(rid1)["parca_scrape_unit_address"] == ADDRESS
    assert leader.local_unit_data(rid2)["parca_scrape_unit_address"] == "192.168.7.7"


def test_provides_ipv6_address_is_published_as_given(make_unit):
    unit = make_unit(address="fd00::7")
    unit.start()
    rid = unit.relate(EP, "parca", units=1)
    assert unit.local_unit_data(rid)["parca_scrape_unit_address"] == "fd00::7"


def test_provides_charm_can_set_another_address_and_go_back(leader):
    rids = [leader.relate(EP, "parca", units=1), leader.relate(EP, "parca-two", units=1)]
    result = leader.run_hook("update-status",
                             action=lambda e: e(EP).set_unit_address("profiling.example.com"))
    assert len(result.relation_sets) == 2
    for rid in rids:
        assert leader.local_unit_data(rid)["parca_scrape_unit_address"] == "profiling.example.com"
    rid3 = leader.relate(EP, "parca-three", units=1)
    assert leader.local_unit_data(rid3)["parca_scrape_unit_address"] == "profiling.example.com"
    leader.run_hook("update-status", action=lambda e: e(EP).set_unit_address(None))
    for rid in rids + [rid3]:
        assert leader.local_unit_data(rid)["parca_scrape_unit_address"] == ADDRESS


@pytest.mark.parametrize("address", ["", "host:8080", "http://host/", 42])
def test_provides_bad_unit_address_raises_value_error(leader, address):
    rid = leader.relate(EP, "parca", units=1)
    caught = {}

    def act(e):
        try:
            e(EP).set_unit_address(address)
        except ValueError as err:
            caught["error"] = err

    leader.run_hook("update-status", action=act)
    assert str(caught["error"]).startswith("address:")
    assert leader.local_unit_data(rid) == UNIT_BAG


def test_provides_joined_flag_follows_the_relations(leader):
    rid1 = leader.relate(EP, "parca", units=1)
    rid2 = leader.relate(EP, "parca-two", units=1)
    leader.remove_relation(rid1)
    assert JOINED in leader.flags
    result = leader.remove_relation(rid2)
    assert result.error is None
    assert JOINED not in leader.flags


def test_provides_rejoined_relation_gets_everything_again(leader):
    publish(leader, JOBS)
    rid = leader.relate(EP, "parca", units=1)
    leader.remove_relation(rid)
    rid = leader.relate(EP, "parca", units=1)
    assert app_bag(leader, rid) == {"scrape_jobs": JOBS, "scrape_metadata": METADATA}
    assert leader.local_unit_data(rid) == UNIT_BAG


def test_provides_relation_changed_touches_only_its_relation(leader):
    rids = [leader.relate(EP, f"app{i}", units=1) for i in range(3)]
    publish(leader, JOBS)
    result = leader.set_remote_app_data(rids[1], {"x": "1"})
    own_reads = [a for a in result.tool_calls("relation-get")
                 if a[-1] in (leader.app, leader.name)]
    assert {a[a.index("-r") + 1] for a in own_reads} == {rids[1]}


def test_provides_scrape_jobs_property_returns_what_is_published(leader):
    publish(leader, [{"job_name": "bare"}])
    seen = {}
    leader.run_hook("update-status", action=lambda e: seen.update(jobs=e(EP).scrape_jobs))
    assert seen["jobs"] == [{"static_configs": [{"targets": ["*:80"]}], "job_name": "bare"}]


def test_provides_several_ports_example_from_the_readme(leader):
    """The README's "several ports" code, run as a charm handler would run it."""
    rid = leader.relate(EP, "parca", units=1)

    def handler(endpoint_from_name):
        endpoint = endpoint_from_name(EP)
        # --8<-- [start:parca-scrape-several-ports]
        endpoint.update_scrape_job_spec([
            {"job_name": "app", "static_configs": [{"targets": ["*:6060", "*:7070"]}]},
            {"job_name": "sidecar", "scheme": "https", "tls_config": {"insecure_skip_verify": True},
             "static_configs": [{"targets": ["*:8443"]}]},
        ])
        # --8<-- [end:parca-scrape-several-ports]

    leader.run_hook("update-status", action=handler)
    jobs = app_bag(leader, rid)["scrape_jobs"]
    assert [j["job_name"] for j in jobs] == ["app", "sidecar"]
    assert jobs[0]["static_configs"] == [{"targets": ["*:6060", "*:7070"]}]
    assert jobs[1]["scheme"] == "https"
