"""prometheus_scrape's row of the cross-layer table (``kit.layer.Layer``)."""

import json

from kit.layer import UUID, Layer


def _scrape_bag(app, port):
    return {
        "scrape_metadata": json.dumps({"model": "cos", "model_uuid": UUID, "application": app,
                                       "unit": f"{app}/0", "charm_name": app}),
        "scrape_jobs": json.dumps([{"metrics_path": "/metrics",
                                    "static_configs": [{"targets": [f"*:{port}"]}]}]),
        "alert_rules": json.dumps({"groups": [{"name": "g", "rules": [
            {"alert": "Down", "expr": "up{%%juju_topology%%} < 1",
             "labels": {"juju_model": "cos", "juju_model_uuid": UUID,
                        "juju_application": app}}]}]}),
    }


ROW = Layer(
    interface="prometheus_scrape", provides="metrics-endpoint", requires="metrics-targets",
    remote_app="target",
    app_data=_scrape_bag("target", 9100),
    other_app_data=_scrape_bag("target", 9200),
    unit_data={0: {"prometheus_scrape_unit_address": "10.1.1.1",
                   "prometheus_scrape_unit_name": "target/0"}},
    publish=lambda e: e.publish([{"static_configs": [{"targets": ["*:9100"]}]}]),
    publish_other=lambda e: e.publish(
        [{"job_name": "b", "static_configs": [{"targets": ["*:9101"]}]}]),
    # what Prometheus exposes, the empty parts left out (nothing: ``{}``); alerts without
    # their keys (which name the relation id)
    exposed=lambda e: {k: v for k, v in (("jobs", e.jobs()), ("alerts", [
        [a["identifier"], a["rules"]] for a in e.alerts_by_relation])) if v},
    writes_unit_data=True,
    app_keys=("scrape_metadata", "scrape_jobs", "alert_rules"),
    # jobs that are not a list, rules without groups of rules: unusable
    unusable_data={"scrape_jobs": '{"static_configs": []}', "alert_rules": '{"groups": [{}]}'},
    # the older interface:prometheus-scrape layer's flags, kept for its charms
    provides_joined_flags=("joined", "connected", "available"),
    # Prometheus' leader writes event back, as upstream does
    requires_app_keys=("event",),
)
