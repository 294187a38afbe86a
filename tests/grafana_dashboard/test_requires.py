"""grafana_dashboard requires side (Grafana), through whole hooks of the simulated Juju."""

import base64
import functools
import json
import lzma
import os
import subprocess

import pytest

from grafana_dashboard.support import REQUIRES as EP
from grafana_dashboard.support import bag, template
from jujusim.driver import HOSTSHIM_DIR
from jujusim.toolserver import SOCKET_ENV, ToolServer

PANEL = {"type": "graph", "datasource": "${prometheusds}", "targets": [{"expr": "up"}]}


def dashboard(uid, title="T", version=1):
    return {"title": title, "uid": uid, "version": version, "panels": [dict(PANEL)]}


def read(unit):
    seen = {}
    unit.run_hook("update-status", action=lambda e: seen.update(
        dashboards=e(EP).dashboards, reasons=e(EP).invalid_reasons,
        has_invalid=e(EP).has_invalid_dashboards()))
    return seen


def event_of(unit, rid):
    raw = unit.local_app_data(rid).get("event")
    return json.loads(raw) if raw else None


@pytest.fixture
def grafana(make_unit):
    u = make_unit(unit="grafana/0", leader=True)
    u.start()
    return u


def test_requires_renders_dashboards_and_sets_available_and_changed(grafana):
    rid = grafana.relate(EP, "workload", units=1,
                         app_data=bag({"file:a": template(dashboard("a"))}))
    assert {EP + ".joined", EP + ".available", EP + ".changed"} <= grafana.flags
    (got,) = read(grafana)["dashboards"]
    assert (got["id"], got["relation_id"], got["dashboard_uid"], got["dashboard_version"]) == (
        "file:a", rid, "a", 1)
    names = [v["name"] for v in json.loads(got["content"])["templating"]["list"]]
    assert names == ["juju_model", "juju_model_uuid", "juju_application", "juju_unit",
                     "prometheusds", "lokids"]
    assert grafana.local_app_data(rid) == {}


def test_changed_is_set_again_only_when_the_dashboards_change(grafana):
    rid = grafana.relate(EP, "workload", units=1,
                         app_data=bag({"file:a": template(dashboard("a"))}))
    grafana.clear_flag(EP + ".changed")
    grafana.set_remote_app_data(rid, bag({"file:a": template(dashboard("a"))}))
    assert EP + ".changed" not in grafana.flags
    grafana.set_remote_app_data(rid, bag({"file:a": template(dashboard("a", version=2))}))
    assert EP + ".changed" in grafana.flags


def test_a_failed_template_drops_its_relation_writes_errors_and_spares_the_others(grafana):
    bad = grafana.relate(EP, "bad", units=1, app_data=bag({
        "file:good": template(dashboard("g")),
        "file:bad": dict(template(dashboard("b")), content="bm90IGx6bWE=")}))
    good = grafana.relate(EP, "good", units=1, app_data=bag({"file:x": template(dashboard("x"))}))
    seen = read(grafana)
    assert [d["dashboard_uid"] for d in seen["dashboards"]] == ["x"]
    assert list(seen["reasons"]) == [bad] and "file:bad" in seen["reasons"][bad]
    assert [e["dashboard_id"] for e in event_of(grafana, bad)["errors"]] == ["file:bad"]
    assert event_of(grafana, good) is None and seen["has_invalid"] is True
    assert {EP + ".invalid", EP + ".available"} <= grafana.flags
    warnings = [w for w in grafana.warnings if "file:bad" in w]
    assert len(warnings) == 1
    grafana.set_remote_app_data(bad, bag({"file:good": template(dashboard("g"))}))
    assert event_of(grafana, bad) == {}
    assert EP + ".invalid" not in grafana.flags and read(grafana)["has_invalid"] is False


def test_dashboards_not_json_makes_the_relation_invalid_with_nothing_written_back(grafana):
    rid = grafana.relate(EP, "workload", units=1, app_data={"dashboards": "{templates"})
    assert EP + ".invalid" in grafana.flags and EP + ".available" not in grafana.flags
    assert grafana.local_app_data(rid) == {}
    assert len([w for w in grafana.warnings if rid in w]) == 1


def test_non_leader_renders_the_same_and_writes_nothing(make_unit):
    unit = make_unit(unit="grafana/1", leader=False)
    unit.start()
    rid = unit.relate(EP, "workload", units=1, app_data=bag({
        "file:a": template(dashboard("a")), "file:bad": dict(template({}), content="eA==")}))
    seen = read(unit)
    assert seen["dashboards"] == [] and list(seen["reasons"]) == [rid]
    assert unit.local_app_data(rid) == {} and seen["has_invalid"] is False


def test_same_uid_over_relations_keeps_the_highest_version_then_relation_id(grafana):
    first = grafana.relate(EP, "a", units=1, app_data=bag({
        "file:s": template(dashboard("s", version=3)), "file:t": template(dashboard("t"))}))
    second = grafana.relate(EP, "b", units=1, app_data=bag({
        "file:s": template(dashboard("s", version=2)), "file:t": template(dashboard("t"))}))
    got = {d["dashboard_uid"]: d["relation_id"] for d in read(grafana)["dashboards"]}
    assert got == {"s": first, "t": second}


def test_departure_of_the_last_unit_withdraws_the_dashboards_and_sets_changed(grafana):
    rid = grafana.relate(EP, "workload", units=1,
                         app_data=bag({"file:a": template(dashboard("a"))}))
    grafana.clear_flag(EP + ".changed")
    grafana.remove_relation(rid)
    assert EP + ".available" not in grafana.flags and EP + ".changed" in grafana.flags
    assert read(grafana)["dashboards"] == []


# --------------------------------------------------------------------------
# Bounds
# --------------------------------------------------------------------------

BOMB_BYTES = 48 * 1024 * 1024


@functools.lru_cache(maxsize=None)
def bomb():
    """A template content of some 10 KB that decompresses to 48 MB of JSON (a list of
    spaces), three times the layer's limit."""
    c = lzma.LZMACompressor(format=lzma.FORMAT_XZ, preset=0)
    chunk = b" " * (1 << 20)
    parts = [c.compress(b"[")] + [c.compress(chunk) for _ in range(BOMB_BYTES >> 20)]
    parts += [c.compress(b"]"), c.flush()]
    return base64.b64encode(b"".join(parts)).decode()


def test_content_decompressing_past_the_limit_is_refused_with_one_warning(grafana, import_layer):
    common = import_layer("grafana_dashboard")
    assert BOMB_BYTES > 2 * common.MAX_CONTENT_BYTES and len(bomb()) < 100_000
    rid = grafana.relate(EP, "workload", units=1, app_data=bag({
        "file:bomb": dict(template({}), content=bomb()), "file:a": template(dashboard("a"))}))
    seen = read(grafana)
    assert seen["dashboards"] == [] and "larger than" in seen["reasons"][rid]
    assert len([w for w in grafana.warnings if rid in w]) == 1


def test_content_with_too_many_json_values_is_refused(grafana, import_layer):
    common = import_layer("grafana_dashboard")
    many = "[" + ",".join(["0"] * (common.MAX_JSON_VALUES + 1)) + "]"
    rid = grafana.relate(EP, "workload", units=1, app_data=bag({
        "file:many": template({}, raw=many)}))
    assert "JSON values" in read(grafana)["reasons"][rid]
    assert EP + ".invalid" in grafana.flags


class PeakRunner:
    """Runs the built charm's hooks as processes, each a new interpreter (not forked from
    the exec runner's fork server: its own peak), with the exec runner's tool server, and
    keeps the peak resident memory (KiB) of each hook process."""

    def __init__(self, charm_dir):
        self.charm_dir = charm_dir
        self.peaks = []

    def run(self, hook, env, action=None):
        path = os.path.join(self.charm_dir, "hooks", hook)
        if not os.path.exists(path):
            return None
        env = dict(env, PYTHONPATH=HOSTSHIM_DIR, **{SOCKET_ENV: ToolServer.address()})
        proc = subprocess.Popen([path], cwd=self.charm_dir, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1
        errors = proc.stderr.read().decode()
        proc.stderr.close()
        self.peaks.append(usage.ru_maxrss)
        return f"exit {proc.returncode}\n{errors}" if proc.returncode else None


def test_bomb_is_refused_in_bounded_memory_of_the_hook_process(make_unit, built_charm):
    """The peak RSS of the relation-changed hook that reads the bomb stays within 40 MB of
    the same hook reading an ordinary dashboard (decompressing it whole would take more
    than 96 MB: the 48 MB of bytes and their text)."""
    peaks = {}
    for name, content in (("plain", template(dashboard("a"))["content"]), ("bomb", bomb())):
        unit = make_unit(unit="grafana/0", charm=built_charm, runner="exec", leader=True)
        unit.start()
        rid = unit.relate(EP, "workload", units=1)
        unit.runner = PeakRunner(unit.charm_dir)  # only the hooks that read the dashboard
        unit.set_remote_app_data(rid, bag({"file:x": dict(template({}), content=content)}))
        peaks[name] = max(unit.runner.peaks)
        assert (EP + ".invalid" in unit.flags) == (name == "bomb")
    assert peaks["bomb"] - peaks["plain"] < 40 * 1024, peaks
