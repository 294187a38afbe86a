"""cos_agent's wire format (``common.py``) as pure functions: the rules the contract states
that the vectors do not spell out case by case."""

import base64
import hashlib
import json
import lzma
import os
from pathlib import Path, PurePosixPath

import pytest

UUID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


@pytest.fixture(scope="module")
def common(import_layer):
    return import_layer("cos_agent")


@pytest.fixture
def topology(common):
    return common.Topology("my-model", UUID, "my-app", "my-charm")


@pytest.mark.parametrize("prefix,name,want", [
    ("id", "demo", "id_demo_rules"),
    ("id", "demo_rules", "id_demo_rules"),          # _rules not repeated
    ("id", "demo-rules", "id_demo_rules_rules"),    # checked before the characters are replaced
    ("id_sub/dir", "g", "id_sub_dir_g_rules"),
    ("id", "x_0a1b2c3d_y_rules", "x_0a1b2c3d_y_rules"),  # already carries a topology hash
    ("id", "a.b c", "id_a_b_c_rules"),
    ("cos-lxd_0a1b2c3d_app", "HostHealth", "cos_lxd_0a1b2c3d_app_HostHealth_rules"),
])
def test_group_names(common, prefix, name, want):
    assert common.group_name(prefix, name) == want


def test_job_names_hash_the_job_without_its_name(common):
    job = {"metrics_path": "/metrics", "static_configs": [{"targets": ["localhost:9100"]}]}
    text = json.dumps(job, sort_keys=True).encode()
    assert common.job_hash(dict(job, job_name="x")) == hashlib.blake2b(text, digest_size=4).hexdigest()
    request = common.check_request(scrape_configs=[dict(job, job_name="b"), dict(job)],
                                   metrics_endpoints=[{"path": "/metrics", "port": 9100}])
    names = [j["job_name"] for j in common.scrape_jobs(request, "app")]
    assert names == ["app_b_83b01065", "app_default_83b01065", "app_default_83b01065"]


def test_rules_file_suffixes_and_stems_are_pathlib_s(common, tmp_path, topology):
    for name in (".rules", "..rules", "a.b.rules", "x.rules.bak", "y.yaml"):
        (tmp_path / name).write_text("alert: A\nexpr: up\n")
    found = [Path(p).name for p in common.rule_files(str(tmp_path), False)]
    assert sorted(found) == sorted(n for n in ("..rules", "a.b.rules", "y.yaml")
                                   if Path(n).suffix in (".rules", ".yaml"))
    groups = common.read_rules(str(tmp_path), False, topology, "promql", print)
    assert sorted(g["name"] for g in groups) == sorted(
        f"my_model_0a1b2c3d_my_app_{Path(n).stem.replace('.', '_')}_rules"
        for n in ("..rules", "a.b.rules", "y.yaml"))


def test_topology_labels_are_added_unless_present_and_placeholders_replaced(common, topology):
    group = {"name": "g", "rules": [{"alert": "A", "expr": "a{%%juju_topology%%,x=\"1\"}",
                                     "labels": {"juju_charm": "mine"}}]}
    promql = common.labelled_group(group, "p", topology.labels, "promql", "w")["rules"][0]
    logql = common.labelled_group(group, "p", topology.labels, "logql", "w")["rules"][0]
    assert promql["expr"] == 'a{x="1"}'
    assert logql["expr"] == 'a{job=~".+",x="1"}'
    assert promql["labels"] == {"juju_charm": "mine", "juju_model": "my-model",
                                "juju_model_uuid": UUID, "juju_application": "my-app"}
    assert group["rules"][0]["labels"] == {"juju_charm": "mine"}  # the input is not changed


def test_dashboard_paths_are_relative_to_the_charm_as_pathlib_writes_them(common):
    assert common._dashboard_path("./src/d", "x.json", "/charm") == "src/d/x.json"
    assert common._dashboard_path("src//d/./", "x.json", "/charm") == "src/d/x.json"
    assert common._dashboard_path("/charm/files/d", "x.json", "/charm") == "files/d/x.json"
    assert common._dashboard_path("a/../b", "x.json", "/charm") == str(PurePosixPath("a/../b/x.json"))
    with pytest.raises(ValueError, match="charm directory"):
        common._dashboard_path("/elsewhere/d", "x.json", "/charm")
    assert common.dashboard_uid("c", "p") == hashlib.shake_256(b"c-p").hexdigest(20)


def test_dashboards_round_trip_and_bad_ones_say_why(common):
    content = {"title": "T", "panels": [1]}
    assert common.decode_dashboard(common.compress(json.dumps(content))) == content
    legacy = base64.b64encode(lzma.compress(b'{"a": 1}', format=lzma.FORMAT_ALONE)).decode()
    assert common.decode_dashboard(legacy) == {"a": 1}  # any LZMA container, as upstream
    full = lzma.compress(b'{"a": 1}')
    for bad, why in ((base64.b64encode(full[:-8]).decode(), "end-of-stream"),
                     ("bm90IGx6bWE=", "LZMA"),
                     (base64.b64encode(lzma.compress(b"[1]")).decode(), "object"),
                     (base64.b64encode(lzma.compress(b"\xff")).decode(), "UTF-8"),
                     (3, "string")):
        with pytest.raises(ValueError, match=why):
            common.decode_dashboard(bad)


def test_oversized_dashboard_is_refused_before_it_is_all_in_memory(import_layer):
    dashboards = import_layer("cos_agent", "_dashboards")
    big = base64.b64encode(lzma.compress(b'{"a": "' + b"x" * 5000 + b'"}')).decode()
    with pytest.raises(ValueError, match="larger than 1000"):
        dashboards.decompress(big, max_bytes=1000)


@pytest.mark.parametrize("value,ok", [
    (None, True), (True, True), (0, True), (1.0, True), ("Yes", True), ("off", True),
    (2, False), ("maybe", False), ([], False),
])
def test_subordinate_accepts_what_pydantic_reads_as_a_bool(common, value, ok):
    raw = json.dumps({"metrics_alert_rules": {}, "log_alert_rules": {}, "dashboards": [],
                      "metrics_scrape_jobs": [], "log_slots": [], "subordinate": value})
    if ok:
        assert common.decode_config(raw)["subordinate"] == value
    else:
        with pytest.raises(common.InvalidDataError, match="subordinate"):
            common.decode_config(raw)


def test_receivers_urls_by_transport_and_readiness(common):
    entries = common.receivers(["zipkin", "otlp_grpc", "zipkin"], "h", tls=True)
    assert entries == [{"protocol": {"name": "otlp_grpc", "type": "grpc"}, "url": "h:4317"},
                       {"protocol": {"name": "zipkin", "type": "http"}, "url": "https://h:9411"}]
    assert [e["url"] for e in common.receivers(["otlp_http"], "h", ready=False)] == [None]
    decoded = common.decode_receivers(json.dumps([dict(entries[0], extra=1)]))
    assert decoded == entries[:1]  # other keys left out, as upstream's model does
    for bad in ('{"a": 1}', '[{"protocol": {"name": "x", "type": "udp"}, "url": null}]',
                '[{"protocol": {"name": "x", "type": "http"}}]', "[1]", "nope"):
        with pytest.raises(common.InvalidDataError):
            common.decode_receivers(bad)
    assert common.receiver_url(decoded, "otlp_grpc") == "h:4317"
    assert common.receiver_url(decoded, "zipkin") is None


def test_untitled_dashboards_are_numbered_across_principals(common):
    def data(app, rid, contents):
        return {"application": app, "unit": app + "/0", "relation_id": rid, "metrics_jobs": [],
                "log_slots": [], "metrics_alert_rules": {}, "log_alert_rules": {},
                "dashboards": contents, "tracing_protocols": []}

    out = common.combine([data("a", "r:1", [{"uid": 1}, {"title": "T"}]),
                          data("b", "r:2", [{"dashboard": {"title": ""}}]),
                          data("a", "r:3", [{"uid": 3}])], "ep", "m", UUID)
    assert [(d["relation_id"], d["charm"], d["title"]) for d in out["dashboards"]] == [
        ("r:1", "ep-a", "no_title_1"), ("r:1", "ep-a", "T"), ("r:2", "ep-b", "no_title_2")]


def test_file_snapshots_see_content_changes_not_touches(import_layer, tmp_path):
    files = import_layer("cos_agent", "_files")
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.rules").write_text("one")
    (tmp_path / "sub" / "b.rules").write_text("two")
    roots = [(str(tmp_path), True)]
    first = files.snapshot(roots)
    assert [e[0] for e in first] == [str(tmp_path / "a.rules"), str(tmp_path / "sub" / "b.rules")]
    (tmp_path / "a.rules").write_text("one")  # rewritten, same content: not a change
    os.utime(tmp_path / "a.rules", ns=(1, 1))
    touched = files.snapshot(roots, first)
    assert touched[0][2] == 1 and not files.contents_changed(first, touched)
    (tmp_path / "a.rules").write_text("ONE")
    os.utime(tmp_path / "a.rules", ns=(1, 1))  # same size and mtime as recorded: not read
    assert not files.contents_changed(touched, files.snapshot(roots, touched))
    os.utime(tmp_path / "a.rules", ns=(2, 2))
    assert files.contents_changed(touched, files.snapshot(roots, touched))
    assert files.contents_changed(first, files.snapshot([(str(tmp_path), False)]))


def test_json_value_counts_bound_what_is_parsed_and_budgets_refuse_past_their_caps(import_layer):
    jsondata = import_layer("cos_agent", "_jsondata")
    for text in ('{"a": [1, 2, {"b": null}], "c": "x,y:[{"}', "[]", "7", '[[], {}, ""]'):
        value, count = json.loads(text), 0
        todo = [value]
        while todo:
            item = todo.pop()
            count += 1
            if isinstance(item, dict):
                count += len(item)
                todo.extend(item.values())
            elif isinstance(item, list):
                todo.extend(item)
        assert jsondata.count_values(text, 0) >= count
        assert jsondata.count_values(text) <= count + 3  # strings taken out: near exact
    budget = jsondata.Budget(max_bytes=100, max_values=5)
    assert jsondata.loads("[1, 2]", "k", budget) == [1, 2]
    with pytest.raises(jsondata.LimitExceeded, match="more than 5 JSON values"):
        jsondata.loads("[1, 2, 3]", "k", budget)
    with pytest.raises(jsondata.LimitExceeded, match="more than 100 bytes"):
        jsondata.loads(" " * 200 + "1", "k", jsondata.Budget(max_bytes=100))
    for bad in ("NaN", "[Infinity]", '{"a": -Infinity}'):
        with pytest.raises(jsondata.InvalidDataError, match="not valid JSON"):
            jsondata.loads(bad, "k")


def test_dashboard_codec_refuses_nan_and_spends_the_relation_budget(import_layer):
    dashboards = import_layer("cos_agent", "_dashboards")
    jsondata = import_layer("cos_agent", "_jsondata")
    for bad in (b'{"a": NaN}', b'{"a": Infinity}', b'{"a": [-Infinity]}'):
        with pytest.raises(ValueError, match="not JSON"):
            dashboards.decode(base64.b64encode(lzma.compress(bad)).decode())
    encoded = dashboards.encode({"title": "T", "x": "y" * 1000})
    assert dashboards.decode(encoded) == {"title": "T", "x": "y" * 1000}
    budget = jsondata.Budget(max_bytes=2500)
    dashboards.decode(encoded, budget)
    dashboards.decode(encoded, budget)
    with pytest.raises(jsondata.LimitExceeded, match="more than 2500 bytes"):
        dashboards.decode(encoded, budget)
    with pytest.raises(jsondata.LimitExceeded, match="JSON values"):
        dashboards.decode(dashboards.encode({"a": [1] * 50}), jsondata.Budget(max_values=10))
