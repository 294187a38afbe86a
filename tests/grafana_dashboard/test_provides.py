"""grafana_dashboard provides side (the charm with dashboards), through whole hooks of the
simulated Juju."""

import builtins
import hashlib
import json
import lzma
import os
import random
import shutil

import pytest

from grafana_dashboard.hookcost import charm_files, write_files
from grafana_dashboard.support import PROVIDES as EP
from grafana_dashboard.support import published

DIR = "src/grafana_dashboards"
OVERVIEW = json.dumps({"title": "Overview", "panels": []})
OTHER = json.dumps({"title": "Other", "uid": "0123456789abcdef0123456789abcdef01234567"})


@pytest.fixture
def own_charm(charm_dir, tmp_path):
    """``own_charm(files=None)``: a copy of the test charm with ``files`` written into it."""
    made = []

    def make(files=None):
        dest = str(tmp_path / f"charm{len(made)}")
        shutil.copytree(charm_dir, dest, symlinks=True)
        write_files(dest, files or {})
        made.append(dest)
        return dest

    return make


@pytest.fixture
def started(make_unit, own_charm):
    """``started(files=None, leader=True)``: a started unit of a charm with ``files``."""

    def make(files=None, leader=True):
        u = make_unit(charm=own_charm(files), leader=leader)
        u.start()
        return u

    return make


def act(unit, call, hook="update-status"):
    return unit.run_hook(hook, action=lambda e: call(e(EP)))


def relate(unit):
    return unit.relate(EP, "grafana", units=1)


def contents(unit, rid):
    value = published(unit, rid)
    return {key: t["content"] for key, t in value["templates"].items()} if value else None


@pytest.fixture
def counted(monkeypatch):
    """Counts, in this process (the in-process hooks), the xz compressions and the files
    opened below a dashboards directory."""
    seen = {"compress": 0, "opened": []}
    real_compress, real_open = lzma.compress, builtins.open

    def compress(*args, **kwargs):
        seen["compress"] += 1
        return real_compress(*args, **kwargs)

    def opener(file, *args, **kwargs):
        if isinstance(file, str) and "grafana_dashboards" in file:
            seen["opened"].append(file)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(lzma, "compress", compress)
    monkeypatch.setattr(builtins, "open", opener)
    return seen


# --------------------------------------------------------------------------
# Publishing
# --------------------------------------------------------------------------

def test_provides_sets_joined_and_writes_nothing_before_anything_is_published(started):
    unit = started()
    rid = relate(unit)
    assert EP + ".joined" in unit.flags
    assert unit.local_app_data(rid) == {} and unit.local_unit_data(rid) == {}


def test_leader_publishes_file_dashboards_with_uid_tag_topology_and_hash(started):
    unit = started({f"{DIR}/overview.json": OVERVIEW, f"{DIR}/sub/other.json.tmpl": OTHER,
                    f"{DIR}/notes.md": "not a dashboard"})
    rid = relate(unit)
    act(unit, lambda ep: ep.publish())
    value = published(unit, rid)
    assert list(value["templates"]) == ["file:overview", "file:other.json"]
    overview = value["templates"]["file:overview"]
    assert overview["content"]["uid"] == hashlib.shake_256(
        f"observability-demo-{DIR}/overview.json".encode()).hexdigest(20)
    assert overview["content"]["tags"] == ["charm: observability-demo"]
    assert overview["juju_topology"] == {"model": "cos", "model_uuid": unit.state["model"]["uuid"],
                                         "application": "observability-demo",
                                         "unit": "observability-demo/0"}
    assert value["templates"]["file:other.json"]["content"]["uid"] == json.loads(OTHER)["uid"]
    raw = json.loads(unit.local_app_data(rid)["dashboards"])
    text = json.dumps(raw["templates"], sort_keys=True)
    assert raw["uuid"] == hashlib.shake_128(text.encode()).digest(8).hex()


def test_non_leader_writes_nothing_and_publishes_when_it_becomes_leader(started):
    unit = started({f"{DIR}/overview.json": OVERVIEW}, leader=False)
    rid = relate(unit)
    act(unit, lambda ep: (ep.publish(), ep.add_dashboard('{"title": "P"}')))
    assert unit.local_app_data(rid) == {}
    unit.set_leader(True)
    keys = sorted(contents(unit, rid))
    assert keys[0] == "file:overview" and keys[1].startswith("prog:") and len(keys) == 2


def test_relation_joining_later_gets_the_dashboards_without_the_charm_calling(started):
    unit = started({f"{DIR}/overview.json": OVERVIEW})
    first = relate(unit)
    act(unit, lambda ep: ep.publish())
    second = unit.relate(EP, "grafana-two", units=1)
    assert contents(unit, second) == contents(unit, first) is not None


def test_unchanged_publish_reads_no_file_compresses_nothing_and_writes_nothing(
        own_charm, make_unit, counted):
    unit = make_unit(charm=own_charm())
    write_files(unit.charm_dir, charm_files(random.Random(1)))
    unit.start()
    rid = relate(unit)
    first = act(unit, lambda ep: ep.publish())
    assert len(first.relation_sets) == 1 and counted["compress"] == 20
    counted["compress"], counted["opened"] = 0, []
    again = act(unit, lambda ep: ep.publish())
    assert again.relation_sets == [] and counted["compress"] == 0 and counted["opened"] == []
    config = unit.run_hook("config-changed")
    assert config.relation_sets == [] and counted["compress"] == 0 and counted["opened"] == []
    assert "dashboards" in unit.local_app_data(rid)


def test_one_changed_file_is_read_and_compressed_once(started, counted):
    unit = started({f"{DIR}/a.json": OVERVIEW, f"{DIR}/b.json": OTHER})
    os.utime(os.path.join(unit.charm_dir, DIR, "a.json"), (1_700_000_000,) * 2)
    os.utime(os.path.join(unit.charm_dir, DIR, "b.json"), (1_700_000_000,) * 2)
    rid = relate(unit)
    act(unit, lambda ep: ep.publish())
    write_files(unit.charm_dir, {f"{DIR}/a.json": json.dumps({"title": "Changed"})})
    counted["compress"], counted["opened"] = 0, []
    act(unit, lambda ep: ep.publish())
    assert counted["compress"] == 1
    assert [os.path.basename(p) for p in counted["opened"]] == ["a.json"]
    assert contents(unit, rid)["file:a"]["title"] == "Changed"


def test_upgrade_charm_reads_a_file_changed_with_the_same_size_and_mtime(started):
    unit = started({f"{DIR}/a.json": json.dumps({"title": "A"})})
    rid = relate(unit)
    act(unit, lambda ep: ep.publish())
    write_files(unit.charm_dir, {f"{DIR}/a.json": json.dumps({"title": "B"})})
    unit.run_hook("config-changed")
    assert contents(unit, rid)["file:a"]["title"] == "A"  # size and mtime alone: unchanged
    unit.run_hook("upgrade-charm")
    assert contents(unit, rid)["file:a"]["title"] == "B"


def test_a_file_touched_but_not_changed_is_not_compressed_again(started, counted):
    unit = started({f"{DIR}/a.json": OVERVIEW})
    rid = relate(unit)
    act(unit, lambda ep: ep.publish())
    counted["compress"] = 0
    os.utime(os.path.join(unit.charm_dir, DIR, "a.json"), (1_700_000_000,) * 2)
    result = act(unit, lambda ep: ep.publish())
    assert counted["compress"] == 0 and result.relation_sets == []
    assert "file:a" in contents(unit, rid)


def test_file_rendered_twice_in_one_hook_with_the_same_size_and_mtime_is_read_again(started):
    unit = started()
    rid = relate(unit)
    path = os.path.join(unit.charm_dir, DIR, "rendered.json")

    def handler(ep):
        write_files(unit.charm_dir, {f"{DIR}/rendered.json": '{"title": "AAAA"}'}, mtime=None)
        ep.publish()
        stat = os.stat(path)
        write_files(unit.charm_dir, {f"{DIR}/rendered.json": '{"title": "BBBB"}'}, mtime=None)
        os.utime(path, ns=(stat.st_mtime_ns, stat.st_mtime_ns))  # a coarse-clock file system
        ep.publish()

    act(unit, handler)
    assert contents(unit, rid)["file:rendered"]["title"] == "BBBB"


def test_deleted_files_are_withdrawn_and_the_last_one_leaves_empty_templates(started):
    unit = started({f"{DIR}/a.json": OVERVIEW, f"{DIR}/b.json": OTHER})
    rid = relate(unit)
    act(unit, lambda ep: ep.publish())
    os.remove(os.path.join(unit.charm_dir, DIR, "a.json"))
    act(unit, lambda ep: ep.publish())
    assert list(contents(unit, rid)) == ["file:b"]
    os.remove(os.path.join(unit.charm_dir, DIR, "b.json"))
    act(unit, lambda ep: ep.publish())
    assert json.loads(unit.local_app_data(rid)["dashboards"])["templates"] == {}


def test_files_are_read_again_in_upgrade_charm_config_changed_and_relation_created(started):
    unit = started({f"{DIR}/a.json": OVERVIEW})
    rid = relate(unit)
    act(unit, lambda ep: ep.publish())
    for hook, title in (("upgrade-charm", "U"), ("config-changed", "C")):
        write_files(unit.charm_dir, {f"{DIR}/a.json": json.dumps({"title": title})}, mtime=None)
        unit.run_hook(hook)
        assert contents(unit, rid)["file:a"]["title"] == title
    write_files(unit.charm_dir, {f"{DIR}/a.json": json.dumps({"title": "R"})}, mtime=None)
    other = unit.relate(EP, "grafana-two", units=1)
    assert contents(unit, other)["file:a"]["title"] == "R" == contents(unit, rid)["file:a"]["title"]


def test_file_that_is_not_a_json_object_is_skipped_with_an_error_line(started):
    unit = started({f"{DIR}/a.json": OVERVIEW, f"{DIR}/broken.json": "{",
                    f"{DIR}/list.json": "[1]", f"{DIR}/tags.json": '{"tags": "x"}'})
    rid = relate(unit)
    act(unit, lambda ep: ep.publish())
    assert list(contents(unit, rid)) == ["file:a"]
    errors = [m for level, m in unit.logs if level == "ERROR"]
    assert len(errors) == 3 and all("skipped" in m for m in errors)


def test_missing_directory_publishes_nothing_with_a_warning(started):
    unit = started()
    rid = relate(unit)
    result = act(unit, lambda ep: ep.publish("no/such/dir"))
    assert unit.local_app_data(rid) == {}
    assert any("not a directory" in m for m in result.warnings)


def test_add_dashboard_and_remove_non_builtin_dashboards(started):
    unit = started({f"{DIR}/a.json": OVERVIEW})
    rid = relate(unit)
    act(unit, lambda ep: (ep.publish(), ep.add_dashboard('{"title": "P"}', inject_dropdowns=False)))
    value = published(unit, rid)
    (prog,) = [k for k in value["templates"] if k.startswith("prog:")]
    raw = json.loads(unit.local_app_data(rid)["dashboards"])["templates"][prog]
    assert prog == "prog:" + raw["content"][-24:-16]
    assert value["templates"][prog]["content"] == {"title": "P"}
    assert raw["juju_topology"] == {} and raw["inject_dropdowns"] is False
    act(unit, lambda ep: ep.remove_non_builtin_dashboards())
    assert list(contents(unit, rid)) == ["file:a"]


def test_same_programmatic_dashboard_again_is_compressed_once_and_writes_nothing(started, counted):
    unit = started()
    relate(unit)
    act(unit, lambda ep: ep.add_dashboard('{"title": "P"}'))
    counted["compress"] = 0
    result = act(unit, lambda ep: ep.add_dashboard('{"title": "P"}'))
    assert counted["compress"] == 0 and result.relation_sets == []


def test_reload_dashboards_without_dropdowns_empties_the_topology_and_is_kept(started):
    unit = started({f"{DIR}/a.json": OVERVIEW})
    rid = relate(unit)
    act(unit, lambda ep: (ep.publish(), ep.reload_dashboards(inject_dropdowns=False)))
    raw = json.loads(unit.local_app_data(rid)["dashboards"])["templates"]["file:a"]
    assert raw["juju_topology"] == {} and raw["inject_dropdowns"] is False
    unit.run_hook("config-changed")
    raw = json.loads(unit.local_app_data(rid)["dashboards"])["templates"]["file:a"]
    assert raw["inject_dropdowns"] is False


@pytest.mark.parametrize("call", [
    lambda ep: ep.publish(dashboards_path="/abs/path"),
    lambda ep: ep.publish(dashboards_path=""),
    lambda ep: ep.add_dashboard({"title": "not text"}),
    lambda ep: ep.add_dashboard("{}", inject_dropdowns="yes"),
    lambda ep: ep.reload_dashboards(inject_dropdowns=None),
])
def test_bad_arguments_raise_value_error_and_write_nothing(started, call):
    unit = started()
    rid = relate(unit)
    caught = {}

    def handler(ep):
        try:
            call(ep)
        except ValueError as e:
            caught["error"] = e

    act(unit, handler)
    assert str(caught["error"])
    assert unit.local_app_data(rid) == {}


def test_unpublish_withdraws_and_a_new_leader_does_not_bring_it_back(started):
    unit = started({f"{DIR}/a.json": OVERVIEW})
    rid = relate(unit)
    act(unit, lambda ep: ep.publish())
    act(unit, lambda ep: ep.unpublish())
    assert unit.local_app_data(rid) == {}
    unit.set_leader(False)
    unit.set_leader(True)
    unit.run_hook("upgrade-charm")
    assert unit.local_app_data(rid) == {}


# --------------------------------------------------------------------------
# What Grafana reports back
# --------------------------------------------------------------------------

def test_rejected_dashboards_set_rejected_and_validation_until_grafana_is_happy(started):
    unit = started({f"{DIR}/a.json": OVERVIEW})
    rid = relate(unit)
    act(unit, lambda ep: ep.publish())
    errors = [{"dashboard_id": "file:a", "error": "boom"}, {"dashboard_id": "file:b"}]
    unit.set_remote_app_data(rid, {"event": json.dumps({"errors": errors})})
    assert EP + ".rejected" in unit.flags
    seen = {}
    act(unit, lambda ep: seen.update(v=ep.validation))
    assert seen["v"] == {"valid": True, "errors": errors, "error_message": "boom"}
    unit.set_remote_app_data(rid, {"event": json.dumps({"valid": True})})
    assert EP + ".rejected" not in unit.flags


def test_grafana_emptying_its_event_clears_rejected_and_validation(started):
    unit = started()
    rid = relate(unit)
    unit.set_remote_app_data(rid, {"event": json.dumps({"errors": [{"dashboard_id": "x"}]})})
    assert EP + ".rejected" in unit.flags
    unit.set_remote_app_data(rid, {"event": "{}"})
    seen = {}
    act(unit, lambda ep: seen.update(v=ep.validation))
    assert EP + ".rejected" not in unit.flags and seen["v"] is None


def test_event_that_is_not_json_is_ignored_with_one_warning(started):
    unit = started()
    rid = relate(unit)
    result = unit.set_remote_app_data(rid, {"event": "oops"})
    assert len(result.warnings) == 1 and "event" in result.warnings[0]
    assert EP + ".rejected" not in unit.flags


def test_rejected_is_cleared_when_grafana_goes_away(started):
    unit = started()
    rid = relate(unit)
    unit.set_remote_app_data(rid, {"event": json.dumps({"valid": False})})
    assert EP + ".rejected" in unit.flags
    unit.remove_relation(rid)
    assert EP + ".rejected" not in unit.flags and EP + ".joined" not in unit.flags
