"""cos_agent's row of the cross-layer table (``kit.layer.Layer``).

cos_agent talks through **unit** databags only: the principal's ``config`` and the
collector's ``receivers``. The requires side's valid data is a principal unit's databag
(``unit_data``), with nothing in the application databag.
"""

import json

from kit.layer import Layer


def _config(slot, port):
    return json.dumps({"metrics_alert_rules": {}, "log_alert_rules": {}, "dashboards": [],
                       "metrics_scrape_jobs": [{"job_name": "workload_default_0",
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
    exposed=lambda e: {"jobs": e.metrics_jobs, "slots": e.snap_log_endpoints,
                       "protocols": e.requested_tracing_protocols()},
    writes_unit_data=True,
    app_keys=(),
)
