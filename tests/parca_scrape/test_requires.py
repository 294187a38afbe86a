"""parca_scrape requires side (the Parca side), through whole hooks of the simulated Juju."""

import json

import pytest

from jujusim import state as st

EP = "profiling-targets"
AVAILABLE, CHANGED, INVALID = (EP + ".available", EP + ".changed", EP + ".invalid")
PUBLIC = {AVAILABLE, CHANGED, INVALID}
JOINED = EP + ".joined"
UUID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
INSTANCE = {"source_labels": ["juju_model", "juju_model_uuid", "juju_application", "juju_unit"],
            "separator": "_", "target_label": "instance", "regex": "(.*)"}


def app_data(app, jobs=None, charm="target", uuid=UUID):
    """What an upstream provider's leader writes."""
    return {
        "scrape_metadata": json.dumps({"model": "cos", "model_uuid": uuid, "application": app,
                                       "unit": app + "/0", "charm_name": charm}),
        "scrape_jobs": json.dumps(jobs if jobs is not None else
                                  [{"static_configs": [{"targets": ["*:7070"]}]}]),
    }


def unit_data(name, address):
    return {"parca_scrape_unit_address": address, "parca_scrape_unit_name": name}


def labels(app, unit=None, charm="target"):
    out = {"juju_model": "cos", "juju_model_uuid": UUID, "juju_application": app,
           "juju_charm": charm}
    if unit:
        out["juju_unit"] = unit
    return out


def job(app, units, port="7070", name=None, charm="target"):
    """The job Parca builds for one ``*:port`` job of ``app``; ``units`` is [(name, address)]."""
    return {
        "job_name": "cos_0a1b2c3d_{}{}".format(app, "_" + name if name else ""),
        "static_configs": [{"targets": [f"{address}:{port}"],
                            "labels": labels(app, unit, charm)} for unit, address in units],
        "relabel_configs": [INSTANCE],
    }


def read(unit):
    """Run a hook in which a charm handler reads the endpoint; return jobs and reasons."""
    seen = {}

    def act(endpoint_from_name):
        endpoint = endpoint_from_name(EP)
        seen["jobs"] = endpoint.jobs()
        seen["reasons"] = endpoint.invalid_reasons
        seen["reason"] = endpoint.invalid_reason

    unit.run_hook("update-status", action=act)
    return seen


def test_requires_sets_no_flag_before_any_relation(unit):
    assert not unit.flags & PUBLIC
    assert read(unit) == {"jobs": [], "reasons": {}, "reason": None}


def test_requires_waits_while_the_target_has_published_nothing(unit):
    unit.relate(EP, "target", units=1)
    assert not unit.flags & PUBLIC
    assert read(unit)["jobs"] == []


def test_requires_becomes_available_when_jobs_and_units_arrive(unit):
    rid = unit.relate(EP, "target", units=1)
    unit.set_remote_app_data(rid, app_data("target"))
    # the unit has not published its address yet: the job has no unit config
    assert read(unit)["jobs"] == [job("target", [])]
    unit.set_remote_unit_data(rid, "target/0", unit_data("target/0", "10.1.0.1"))
    assert {AVAILABLE, CHANGED} <= unit.flags and INVALID not in unit.flags
    assert read(unit)["jobs"] == [job("target", [("target/0", "10.1.0.1")])]


def test_requires_units_joining_and_departing_change_the_jobs(unit):
    rid = unit.relate(EP, "target", units=["target/0"], app_data=app_data("target"),
                      unit_data={"target/0": unit_data("target/0", "10.1.0.1")})
    unit.clear_flag(CHANGED)
    unit.add_unit(rid, "target/1", unit_data("target/1", "10.1.0.2"))
    assert CHANGED in unit.flags
    assert read(unit)["jobs"] == [job("target", [("target/0", "10.1.0.1"),
                                                 ("target/1", "10.1.0.2")])]
    unit.clear_flag(CHANGED)
    unit.remove_unit(rid, "target/0")
    assert CHANGED in unit.flags and AVAILABLE in unit.flags
    assert read(unit)["jobs"] == [job("target", [("target/1", "10.1.0.2")])]


def test_requires_last_unit_leaving_clears_everything_but_changed(unit):
    rid = unit.relate(EP, "target", units=["target/0"], app_data=app_data("target"),
                      unit_data={"target/0": unit_data("target/0", "10.1.0.1")})
    assert {AVAILABLE, JOINED} <= unit.flags
    unit.clear_flag(CHANGED)
    result = unit.remove_unit(rid, "target/0")
    assert result.error is None
    assert unit.flags & (PUBLIC | {JOINED}) == {CHANGED}  # the jobs went away: the charm is told
    assert unit.kv(f"interface.parca_scrape.{EP}.") == {}
    assert read(unit)["jobs"] == []


def test_requires_sets_changed_only_when_the_jobs_change(unit):
    rid = unit.relate(EP, "target", units=["target/0"], app_data=app_data("target"),
                      unit_data={"target/0": unit_data("target/0", "10.1.0.1")})
    unit.clear_flag(CHANGED)
    unit.set_remote_app_data(rid, {"colour": "blue"})
    unit.set_remote_unit_data(rid, "target/0", {"whatever": "1"})
    unit.run_hook("upgrade-charm")
    assert CHANGED not in unit.flags
    unit.set_remote_unit_data(rid, "target/0", {"parca_scrape_unit_address": "10.1.0.9"})
    assert CHANGED in unit.flags
    assert read(unit)["jobs"] == [job("target", [("target/0", "10.1.0.9")])]


def test_requires_two_related_applications_in_relation_order(unit):
    rid_a = unit.relate(EP, "a", units=["a/0"], app_data=app_data("a"),
                        unit_data={"a/0": unit_data("a/0", "10.1.0.1")})
    unit.relate(EP, "b", units=["b/0", "b/1"], app_data=app_data("b", charm="bee", jobs=[
        {"job_name": "x", "static_configs": [{"targets": ["*:81"]}]}]),
        unit_data={"b/0": unit_data("b/0", "10.2.0.1"), "b/1": unit_data("b/1", "10.2.0.2")})
    want_a = job("a", [("a/0", "10.1.0.1")])
    want_b = job("b", [("b/0", "10.2.0.1"), ("b/1", "10.2.0.2")], port="81", name="x",
                 charm="bee")
    assert read(unit)["jobs"] == [want_a, want_b]
    unit.remove_relation(rid_a)
    assert read(unit)["jobs"] == [want_b]
    assert AVAILABLE in unit.flags


def test_requires_orders_units_and_relations_by_number(unit):
    names = [f"t0/{i}" for i in (10, 2, 1, 0)]
    rids = [unit.relate(EP, f"t{i}", units=[]) for i in range(11)]
    unit.edit(lambda s: s["relations"][rids[0].split(":")[1]]["app"].update(app_data("t0")))
    for name in names:
        unit.add_unit(rids[0], name, unit_data(name, f"10.0.0.{name[3:]}"))
    unit.set_remote_app_data(rids[10], app_data("t10"))
    unit.add_unit(rids[10], "t10/0", unit_data("t10/0", "10.9.0.1"))
    got = read(unit)["jobs"]
    assert [j["job_name"] for j in got] == ["cos_0a1b2c3d_t0", "cos_0a1b2c3d_t10"]
    assert [sc["labels"]["juju_unit"] for sc in got[0]["static_configs"]] == [
        "t0/0", "t0/1", "t0/2", "t0/10"]


def test_requires_brackets_ipv6_unit_addresses(unit):
    unit.relate(EP, "t", units=["t/0"], app_data=app_data("t"),
                unit_data={"t/0": unit_data("t/0", "fd00::7")})
    assert read(unit)["jobs"][0]["static_configs"][0]["targets"] == ["[fd00::7]:7070"]


def test_requires_keeps_fixed_targets_and_splits_wildcards_per_unit(unit):
    jobs = [{"job_name": "first", "static_configs": [
        {"targets": ["10.1.32.215:7000", "*:8000", "*:8001"], "labels": {"k": "v"}}]}]
    unit.relate(EP, "t", units=["t/0"], app_data=app_data("t", jobs=jobs),
                unit_data={"t/0": unit_data("t/0", "10.0.0.5")})
    got = read(unit)["jobs"]
    assert got == [{
        "job_name": "cos_0a1b2c3d_t_first",
        "static_configs": [
            {"targets": ["10.1.32.215:7000"], "labels": dict(labels("t"), k="v")},
            {"targets": ["10.0.0.5:8000", "10.0.0.5:8001"], "labels": dict(labels("t", "t/0"),
                                                                            k="v")},
        ],
        "relabel_configs": [INSTANCE],
    }]


@pytest.mark.parametrize("bag,key", [
    ({"scrape_jobs": "[{"}, "scrape_jobs"),
    ({"scrape_jobs": '{"static_configs": []}'}, "scrape_jobs"),
    ({"scrape_jobs": '["*:80"]'}, "scrape_jobs"),
    ({"scrape_jobs": '[{"static_configs": [{"targets": "*:80"}]}]'}, "scrape_jobs"),
    ({"scrape_jobs": '[{"static_configs": [{"targets": ["*:http"]}]}]'}, "scrape_jobs"),
    ({"scrape_jobs": '[{"static_configs": [{"targets": ["*"]}]}]'}, "scrape_jobs"),
    ({"scrape_metadata": "nope"}, "scrape_metadata"),
    ({"scrape_metadata": "[]"}, "scrape_metadata"),
    ({"scrape_metadata": json.dumps({"model": "cos", "model_uuid": "not-a-uuid",
                                     "application": "bad"})}, "scrape_metadata"),
    ({"scrape_metadata": json.dumps({"model": "cos", "model_uuid": UUID})}, "scrape_metadata"),
])
def test_requires_skips_and_reports_a_relation_with_bad_data(unit, bag, key):
    good = unit.relate(EP, "good", units=["good/0"], app_data=app_data("good"),
                       unit_data={"good/0": unit_data("good/0", "10.1.0.1")})
    rid = unit.relate(EP, "bad", units=["bad/0"], app_data=app_data("bad"),
                      unit_data={"bad/0": unit_data("bad/0", "10.2.0.1")})
    result = unit.set_remote_app_data(rid, bag)
    assert result.error is None
    assert {AVAILABLE, INVALID} <= unit.flags
    assert len(result.warnings) == 1
    assert rid in result.warnings[0] and key in result.warnings[0]
    seen = read(unit)
    assert seen["jobs"] == [job("good", [("good/0", "10.1.0.1")])]
    assert list(seen["reasons"]) == [rid] and key in seen["reasons"][rid]
    assert rid in seen["reason"]
    assert good not in seen["reason"]


def test_requires_warns_once_per_reason_and_recovers(unit):
    rid = unit.relate(EP, "t", units=["t/0"], app_data=app_data("t"),
                      unit_data={"t/0": unit_data("t/0", "10.1.0.1")})
    first = unit.set_remote_app_data(rid, {"scrape_jobs": "[{"})
    again = unit.set_remote_unit_data(rid, "t/0", {"x": "1"})
    assert len(first.warnings) == 1 and again.warnings == []
    assert INVALID in unit.flags and AVAILABLE not in unit.flags
    unit.set_remote_app_data(rid, app_data("t"))
    assert INVALID not in unit.flags and AVAILABLE in unit.flags
    assert read(unit)["reasons"] == {}


def test_requires_bad_data_in_the_only_relation_never_fails_a_hook(unit):
    rid = unit.relate(EP, "t", units=1, app_data={"scrape_jobs": "[{", "scrape_metadata": "{"})
    assert INVALID in unit.flags and AVAILABLE not in unit.flags
    for result in unit.history:
        assert result.error is None
    unit.remove_relation(rid)
    assert not unit.flags & PUBLIC


def test_requires_passes_jobs_through_without_metadata(unit):
    jobs = [{"static_configs": [{"targets": ["*:80"]}]}]
    unit.relate(EP, "t", units=["t/0"], app_data={"scrape_jobs": json.dumps(jobs)},
                unit_data={"t/0": unit_data("t/0", "10.1.0.1")})
    assert read(unit)["jobs"] == jobs


def test_requires_reads_the_legacy_host_key_and_skips_units_without_address(unit):
    unit.relate(EP, "t", units=["t/0", "t/1"], app_data=app_data("t"),
                unit_data={"t/0": {"parca_scrape_host": "10.0.0.3"}, "t/1": {}})
    assert read(unit)["jobs"] == [job("t", [("t/0", "10.0.0.3")])]


def test_requires_broken_relation_drops_its_jobs_and_a_rejoin_brings_them_back(unit):
    keep = unit.relate(EP, "keep", units=["keep/0"], app_data=app_data("keep"),
                       unit_data={"keep/0": unit_data("keep/0", "10.1.0.1")})
    rid = unit.relate(EP, "t", units=["t/0"], app_data=app_data("t"),
                      unit_data={"t/0": unit_data("t/0", "10.2.0.1")})
    unit.remove_relation(rid)
    assert read(unit)["jobs"] == [job("keep", [("keep/0", "10.1.0.1")])]
    assert set(unit.kv(f"interface.parca_scrape.{EP}.relation.")) == {keep}
    unit.relate(EP, "t", units=["t/0"], app_data=app_data("t"),
                unit_data={"t/0": unit_data("t/0", "10.2.0.1")})
    assert [j["job_name"] for j in read(unit)["jobs"]] == ["cos_0a1b2c3d_keep",
                                                          "cos_0a1b2c3d_t"]


def test_requires_upgrade_charm_rereads_every_relation(unit):
    rid = unit.relate(EP, "t", units=["t/0"], app_data=app_data("t"),
                      unit_data={"t/0": unit_data("t/0", "10.2.0.1")})
    unit.edit(lambda s: s["relations"][rid.split(":")[1]]["units"]["t/0"].update(
        parca_scrape_unit_address="10.2.0.99"))
    unit.run_hook("update-status")
    assert read(unit)["jobs"] == [job("t", [("t/0", "10.2.0.1")])]  # not re-read: no event
    unit.run_hook("upgrade-charm")
    assert read(unit)["jobs"] == [job("t", [("t/0", "10.2.0.99")])]


def test_requires_writes_nothing_and_update_status_reads_nothing(unit):
    rid = unit.relate(EP, "t", units=["t/0"], app_data=app_data("t"),
                      unit_data={"t/0": unit_data("t/0", "10.2.0.1")})
    results = list(unit.history)
    results.append(unit.set_remote_app_data(rid, {"scrape_jobs": "[{"}))
    results.append(unit.remove_relation(rid))
    for result in results:
        assert result.relation_sets == [], result.name
    idle = unit.run_hook("update-status")
    assert idle.tool_calls("relation-get") == []


def test_requires_relation_changed_rereads_only_its_relation(unit):
    rids = [unit.relate(EP, f"t{i}", units=[f"t{i}/0"],
                        app_data=app_data(f"t{i}"),
                        unit_data={f"t{i}/0": unit_data(f"t{i}/0", "10.0.0.1")})
            for i in range(3)]
    result = unit.set_remote_app_data(rids[1], app_data("t1", jobs=[]))
    app_reads = [a for a in result.tool_calls("relation-get") if "--app" in a]
    assert [a[a.index("-r") + 1] for a in app_reads] == [rids[1]]
    assert [j["job_name"] for j in read(unit)["jobs"]] == ["cos_0a1b2c3d_t0", "cos_0a1b2c3d_t2"]


def _big_model(unit, relations=50, units_per_relation=20):
    """``relations`` related applications of ``units_per_relation`` units each, written
    straight into the model (no hooks); returns (relation ids, expected jobs)."""
    rids, expected = [], []
    for r in range(relations):
        app = f"app{r}"
        jobs = [{"job_name": "cpu", "static_configs": [{"targets": ["*:6060"]}]},
                {"static_configs": [{"targets": ["*:7070", "*:7071"]}]}]
        rid = unit.add_relation(EP, app, app_data=app_data(app, jobs=jobs))
        key = rid.split(":")[1]
        units = [(f"{app}/{u}", f"10.{r}.{u // 250}.{u % 250 + 1}")
                 for u in range(units_per_relation)]

        def add(state, key=key, units=units):
            for name, address in units:
                bag = st.juju_address_keys(address)
                bag.update(unit_data(name, address))
                state["relations"][key]["units"][name] = bag

        unit.edit(add)
        rids.append(rid)
        expected.append(job(app, units, port="6060", name="cpu"))
        second = job(app, [], port="7070")
        second["static_configs"] = [
            {"targets": [f"{a}:7070", f"{a}:7071"], "labels": labels(app, n)}
            for n, a in units]
        expected.append(second)
    return rids, expected


def test_requires_jobs_for_1000_units_across_50_relations_are_correct_and_deterministic(unit):
    """One relation-changed hook reads all 50 relations (never read before); a later hook of
    one relation re-reads only that one and the result is still exact, in the same order.
    (Most of this test's time is charms.reactive's own per-unit flag bookkeeping.)"""
    rids, expected = _big_model(unit)
    seen = []

    def jobs_in_hook(endpoint_from_name):
        seen.append(endpoint_from_name(EP).jobs())

    unit.run_hook(f"{EP}-relation-changed", rid=rids[0], remote_unit="app0/0",
                  action=jobs_in_hook)
    assert len(seen[0]) == 100
    assert sum(len(j["static_configs"]) for j in seen[0]) == 2000
    assert seen[0] == expected
    assert {AVAILABLE, CHANGED} <= unit.flags and INVALID not in unit.flags
    # one unit moves: only its relation is read again; the result is exact and in order
    key = rids[7].split(":")[1]
    unit.edit(lambda s: s["relations"][key]["units"]["app7/3"].update(
        parca_scrape_unit_address="10.77.0.3"))
    result = unit.run_hook(f"{EP}-relation-changed", rid=rids[7], remote_unit="app7/3",
                           action=jobs_in_hook)
    assert [a[a.index("-r") + 1] for a in result.tool_calls("relation-get")
            if "--app" in a] == [rids[7]]
    for entry in expected[14]["static_configs"] + expected[15]["static_configs"]:
        if entry["labels"]["juju_unit"] == "app7/3":
            entry["targets"] = [t.replace("10.7.0.4", "10.77.0.3") for t in entry["targets"]]
    assert seen[1] == expected


def test_requires_survives_unit_names_with_non_ascii_digits(make_unit):
    unit = make_unit()
    rid = unit.relate(EP, "t", units=["t/0"], app_data=app_data("t"),
                      unit_data={"t/0": unit_data("t/²", "10.1.0.1")})
    assert unit.history[-1].error is None
    assert rid and AVAILABLE in unit.flags
    assert read(unit)["jobs"][0]["static_configs"][0]["targets"] == ["10.1.0.1:7070"]


@pytest.mark.parametrize("target", ["*:7070\n", "*:7070\n\n"])
def test_requires_rejects_unit_targets_with_a_trailing_newline(make_unit, target):
    """A ``*:port`` target must be exactly that (fixed targets pass through as upstream's do)."""
    unit = make_unit()
    unit.relate(EP, "t", units=["t/0"], unit_data={"t/0": unit_data("t/0", "10.1.0.1")},
                app_data=app_data("t", jobs=[{"static_configs": [{"targets": [target]}]}]))
    assert INVALID in unit.flags and AVAILABLE not in unit.flags
    assert all("\n" not in t for j in read(unit)["jobs"]
               for sc in j["static_configs"] for t in sc["targets"])
