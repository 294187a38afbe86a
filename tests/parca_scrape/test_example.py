"""The example charm, built by charm-build, using parca_scrape end to end (exec runner).

Every hook here is the built charm's hook file run as a process, so the tests
are few and each walks a whole story.
"""

import json
import os

UUID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
APP = "observability-demo"


def logs(results):
    return [message for result in results for _, message in result.logs]


def test_example_built_charm_contains_the_layer_without_docs(built_charm):
    layer = os.path.join(built_charm, "hooks", "relations", "parca_scrape")
    source = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                          "interface-parca-scrape")
    shipped = sorted(f for f in os.listdir(source) if f.endswith(".py"))  # own and vendored modules
    assert {"common.py", "provides.py", "requires.py", "_lifecycle.py", "_many_requires.py"} <= set(shipped)
    assert sorted(f for f in os.listdir(layer) if f.endswith(".py")) == sorted(shipped + ["__init__.py"])
    assert not os.path.exists(os.path.join(layer, "README.md"))
    for hook in ("profiling-endpoint-relation-joined", "profiling-targets-relation-changed"):
        assert os.path.exists(os.path.join(built_charm, "hooks", hook))


def test_example_offers_its_pprof_ports_to_parca(make_unit, built_charm):
    unit = make_unit(charm=built_charm, runner="exec", address="10.0.0.10")
    unit.set_config(**{"profiling-ports": "6060, 7070"})
    rid = unit.relate("profiling-endpoint", "parca", units=1)
    app = unit.local_app_data(rid)
    assert json.loads(app["scrape_jobs"]) == [
        {"job_name": "demo", "static_configs": [{"targets": ["*:6060", "*:7070"]}]}]
    assert json.loads(app["scrape_metadata"]) == {
        "model": "cos", "model_uuid": UUID, "application": APP, "unit": APP + "/0",
        "charm_name": APP}
    assert unit.local_unit_data(rid) == {"parca_scrape_unit_address": "10.0.0.10",
                                         "parca_scrape_unit_name": APP + "/0"}

    # the operator changes the ports and the address: one write to each databag
    result = unit.set_config(**{"profiling-ports": "9090",
                                "profiling-address": "demo-0.example.com"})
    assert len(result.relation_sets) == 2
    assert json.loads(unit.local_app_data(rid)["scrape_jobs"])[0]["static_configs"] == [
        {"targets": ["*:9090"]}]
    assert unit.local_unit_data(rid)["parca_scrape_unit_address"] == "demo-0.example.com"
    assert unit.run_hook("update-status").relation_sets == []

    # a port that is not a number: the handler reports it, the hook does not fail
    result = unit.set_config(**{"profiling-ports": "http"})
    assert result.error is None and result.relation_sets == []
    state, message = unit.status
    assert state == "blocked" and "job 0 ('demo')" in message and "*:http" in message


def test_example_collects_scrape_jobs_from_related_targets(make_unit, built_charm):
    unit = make_unit(charm=built_charm, runner="exec")
    app_data = {
        "scrape_metadata": json.dumps({"model": "cos", "model_uuid": UUID, "application": "t",
                                       "unit": "t/0", "charm_name": "target"}),
        "scrape_jobs": json.dumps([{"static_configs": [{"targets": ["*:6060"]}]}]),
    }
    rid = unit.relate("profiling-targets", "t", units=["t/0"], app_data=app_data, unit_data={
        "t/0": {"parca_scrape_unit_address": "10.1.0.1", "parca_scrape_unit_name": "t/0"}})
    assert "profiling-targets: 1 scrape jobs, 1 targets: cos_0a1b2c3d_t" in logs(unit.history)
    assert "profiling-targets.changed" not in unit.flags  # the handler cleared it

    unit.add_unit(rid, "t/1", {"parca_scrape_unit_address": "10.1.0.2"})  # joined, changed
    assert "profiling-targets: 1 scrape jobs, 2 targets: cos_0a1b2c3d_t" in logs(
        unit.history[-2:])

    # unusable data: skipped and reported, the hook does not fail
    result = unit.set_remote_app_data(rid, {"scrape_jobs": "[{"})
    assert result.error is None
    assert "profiling-targets: 0 scrape jobs, 0 targets: " in logs([result])
    state, message = unit.status
    assert state == "blocked" and rid in message and "scrape_jobs" in message
    assert {"profiling-targets.invalid"} <= unit.flags
    assert "profiling-targets.available" not in unit.flags
