"""A charm written for the older ``interface:cos-agent`` layer's API works unchanged.

``old_api_charm/cos_agent_handlers.py`` uses that API as the OVN charms do
(``cos-agent.connected`` / ``cos-agent.available``, ``MetricsEndpoint``,
``update_cos_agent``); it runs here, unchanged, on this layer.
"""

import json
import os
import shutil

from cos_agent.support import published

HERE = os.path.dirname(os.path.abspath(__file__))
APP = "observability-demo"
DASHBOARD = {"title": "OVN", "panels": []}


def test_a_charm_written_for_the_older_layer_publishes_its_endpoint_and_dashboards(
        make_unit, own_charm):
    charm = own_charm({"files/dashboards/ovn.json": json.dumps(DASHBOARD)})
    shutil.copy(os.path.join(HERE, "old_api_charm", "cos_agent_handlers.py"),
                os.path.join(charm, "reactive"))
    unit = make_unit(charm=charm, leader=False)
    unit.start()
    rid = unit.add_relation("cos-agent", "grafana-agent")
    unit.run_hook("cos-agent-relation-created", rid=rid)
    joined = unit.add_unit(rid, "grafana-agent/0")
    assert {"cos-agent.connected", "cos-agent.available"} <= unit.flags
    assert ("INFO", "cos-agent connected, waiting for the collector") in \
        unit.history[-2].logs  # relation-joined, before -changed made it available
    config = published(unit, rid)
    [job] = config["metrics_scrape_jobs"]
    assert job["job_name"].startswith(APP + "_default_")
    assert job["static_configs"] == [{"targets": ["localhost:9476"]}]
    assert job["metrics_path"] == "/metrics"
    [dashboard] = config["dashboards"]
    assert dashboard["title"] == "OVN" and dashboard["tags"] == ["charm: " + APP]
    assert [g["name"] for g in config["metrics_alert_rules"]["groups"]] == [
        "cos_0a1b2c3d_observability_demo_HostHealth_rules"]
    assert joined.error is None

    # The handler calls update_cos_agent in every hook while available: nothing is rewritten.
    again = unit.run_hook("update-status")
    assert again.relation_sets == [] and again.tool_calls("relation-get") == []

    unit.remove_unit(rid, "grafana-agent/0")
    assert not {"cos-agent.connected", "cos-agent.available"} & unit.flags
