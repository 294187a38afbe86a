"""cos_agent's row of the cross-layer table (``kit.layer.Layer``).

cos_agent talks through **unit** databags only: the principal's ``config`` and the
collector's ``receivers``. The requires side's data is a principal unit's databag
(``unit_data``), with nothing in the application databag; the provides side writes its
own unit databag, leader or not, and no application data.
"""

import json

from kit.layer import Layer


def _config(slot, port, proxy="http://proxy.example:3128"):
    return json.dumps({"metrics_alert_rules": {}, "log_alert_rules": {}, "dashboards": [],
                       "metrics_scrape_jobs": [{"job_name": "workload_default_0",
                                                "proxy_url": proxy,
                                                "static_configs": [{"targets": [
                                                    f"localhost:{port}"]}]}],
                       "log_slots": [slot], "tracing_protocols": ["otlp_http"]})


ROW = Layer(
    interface="cos_agent", provides="cos-agent", requires="cos-agent-collector",
    remote_app="workload",
    app_data={},
    other_app_data={},
    unit_data={0: {"config": _config("workload:logs", 9100)}},
    publish=lambda e: e.publish(metrics_endpoints=[{"path": "/metrics", "port": 9100}],
                                log_slots=["observability-demo:logs"]),
    publish_other=lambda e: e.publish(metrics_endpoints=[{"path": "/metrics", "port": 9101}],
                                      tracing_protocols=["otlp_grpc"]),
    # what the collector exposes, the empty parts left out (nothing: ``{}``)
    exposed=lambda e: {k: v for k, v in (("jobs", e.metrics_jobs), ("slots", e.snap_log_endpoints),
                                         ("protocols", e.requested_tracing_protocols())) if v},
    writes_unit_data=True,
    app_keys=(),
    # a config without metrics_alert_rules: rejected as a whole
    unusable_unit_data={0: {"config": json.dumps({
        "log_alert_rules": {}, "dashboards": [], "log_slots": [],
        "metrics_scrape_jobs": [{"proxy_url": "http://proxy.example:3128"}]})}},
    secret_unit_data=lambda password: {0: {"config": _config(
        "workload:logs", 9100, proxy=f"http://user:{password}@proxy.example:3128")}},
    # the older interface:cos-agent layer's flags, kept for its charms
    provides_joined_flags=("joined", "connected", "available"),
)
