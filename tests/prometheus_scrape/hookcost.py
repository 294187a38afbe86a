"""prometheus_scrape's hook-cost cases (``kit.hookcases``): ``make bench`` and the call-count
tests (``crosslayer/test_hook_cost.py``)."""

import json

from kit.hookcases import Case
from kit.layer import UUID


def _scrape_app(app):
    return {"scrape_metadata": json.dumps({"model": "cos", "model_uuid": UUID, "application": app,
                                           "unit": app + "/0", "charm_name": app}),
            "scrape_jobs": json.dumps([{"metrics_path": "/metrics", "job_name": "node",
                                        "static_configs": [{"targets": ["*:9100"]}]}]),
            "alert_rules": json.dumps({"groups": [{"name": "g", "rules": [
                {"alert": "Down", "expr": "up < 1",
                 "labels": {"juju_model": "cos", "juju_model_uuid": UUID,
                            "juju_application": app}}]}]})}


def _scrape_unit(name, address):
    return {"prometheus_scrape_unit_address": address, "prometheus_scrape_unit_name": name}


ENDPOINTS = {
    "metrics-endpoint": Case(
        "prometheus_scrape", "provides",
        publish=lambda e: e.publish([{"static_configs": [{"targets": ["*:9100"]}]}]),
        publish_given_address=lambda e: e.publish(
            [{"static_configs": [{"targets": ["*:9100"]}]}],
            external_url="http://target.example.com:9100/"),
        flat_in_units=True),
    "metrics-targets": Case(
        "prometheus_scrape", "requires", app_data=_scrape_app, unit_data=_scrape_unit,
        flat_in_units=True),
}
