"""End to end: the example charm, built by the real charm-build, using grafana_dashboard
(exec runner).

The example plays both sides: it sends the dashboard it ships in ``src/`` on
``grafana-dashboard``, and on ``dashboards`` it provisions what a related charm sends,
rendered as Grafana's consumer renders it.
"""

import json
import os

from grafana_dashboard.support import bag, published, template

APP = "observability-demo"


def test_built_charm_contains_the_grafana_dashboard_layer(built_charm):
    layer = os.path.join(built_charm, "hooks", "relations", "grafana_dashboard")
    files = set(os.listdir(layer))
    assert {"__init__.py", "common.py", "provides.py", "requires.py", "interface.yaml"} <= files
    assert not files & {"README.md", "docs", "tests"}
    for endpoint in ("grafana-dashboard", "dashboards"):
        for event in ("created", "joined", "changed", "departed", "broken"):
            assert os.path.exists(os.path.join(built_charm, "hooks",
                                               f"{endpoint}-relation-{event}"))


def test_example_sends_its_dashboard_and_reports_what_grafana_rejects(make_unit, built_charm):
    unit = make_unit(charm=built_charm, runner="exec", leader=True)
    unit.start()
    rid = unit.relate("grafana-dashboard", "grafana", units=1)
    value = published(unit, rid)
    (key,) = value["templates"]
    assert key == "file:demo"
    dashboard = value["templates"][key]["content"]
    assert dashboard["title"] == "Observability demo" and len(dashboard["uid"]) == 40
    assert dashboard["tags"] == ["demo", "charm: " + APP]
    result = unit.set_remote_app_data(rid, {"event": json.dumps(
        {"errors": [{"dashboard_id": "file:demo", "error": "boom"}]})})
    assert result.relation_sets == []
    assert "grafana-dashboard.rejected" in unit.flags
    assert unit.status[0] == "blocked" and "file:demo" in unit.status[1]
    unit.set_remote_app_data(rid, {"event": "{}"})
    unit.set_remote_app_data(rid, {"event": json.dumps({"valid": True})})
    assert "grafana-dashboard.rejected" not in unit.flags
    assert unit.status[0] != "blocked"


def test_example_provisions_the_rendered_dashboards_of_a_related_charm(make_unit, built_charm):
    unit = make_unit(charm=built_charm, runner="exec", leader=True)
    unit.start()
    rid = unit.relate("dashboards", "workload", units=1, app_data=bag({
        "file:a": template({"title": "A", "uid": "a-uid", "panels": []})}))
    folder = os.path.join(unit.charm_dir, "provisioned-dashboards")
    assert os.listdir(folder) == ["a-uid.json"]
    with open(os.path.join(folder, "a-uid.json")) as f:
        rendered = json.load(f)
    assert [v["name"] for v in rendered["templating"]["list"]][-2:] == ["prometheusds", "lokids"]
    assert "dashboards.changed" not in unit.flags
    unit.remove_relation(rid)
    assert os.listdir(folder) == []
