"""parca_scrape's row of the cross-layer table (``kit.layer.Layer``)."""

import json

from kit.layer import UUID, Layer


def _scrape_bag(app, port):
    return {
        "scrape_metadata": json.dumps({"model": "cos", "model_uuid": UUID, "application": app,
                                       "unit": f"{app}/0", "charm_name": app}),
        "scrape_jobs": json.dumps([{"static_configs": [{"targets": [f"*:{port}"]}]}]),
    }


ROW = Layer(
    interface="parca_scrape", provides="profiling-endpoint", requires="profiling-targets",
    remote_app="target",
    app_data=_scrape_bag("target", 7070),
    other_app_data=_scrape_bag("target", 7171),
    unit_data={0: {"parca_scrape_unit_address": "10.1.1.1",
                   "parca_scrape_unit_name": "target/0"}},
    publish=lambda e: e.update_scrape_job_spec([{"static_configs": [{"targets": ["*:6060"]}]}]),
    publish_other=lambda e: e.update_scrape_job_spec(
        [{"job_name": "b", "static_configs": [{"targets": ["*:6061"]}]}]),
    exposed=lambda e: e.jobs(),
    writes_unit_data=True,
    app_keys=("scrape_metadata", "scrape_jobs"),
    # a target port that is not a number: unusable with the topology in scrape_metadata
    unusable_data={"scrape_jobs": '[{"static_configs": [{"targets": ["*:http"]}]}]'},
)
