"""profiling's hook-cost cases (``kit.hookcases``): ``make bench`` and the call-count tests
(``crosslayer/test_hook_cost.py``)."""

import json

from kit.hookcases import Case

ENDPOINTS = {
    "receive-profiles": Case(
        "profiling", "provides",
        publish=lambda e: e.publish_endpoint("demo-0.demo:4317"), flat_in_units=True),
    "send-profiles": Case(
        "profiling", "requires", flat_in_units=True,
        app_data=lambda app: {"otlp_grpc_endpoint_url": json.dumps(f"{app}.cos.svc:4040"),
                              "insecure": "false"}),
}
#: the example charm's config for its profiling handlers (the bench publishes from it)
CONFIG = {"profiling-otlp-grpc-endpoint": "demo-0.demo:4317"}
