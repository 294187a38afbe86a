"""prometheus_api's hook-cost cases (``kit.hookcases``): ``make bench`` and the call-count
tests (``crosslayer/test_hook_cost.py``)."""

from kit.hookcases import Case

#: example charm config the bench sets (its handlers publish it)
CONFIG = {"prometheus-direct-url": "http://demo-0.demo:9009/prometheus"}

ENDPOINTS = {
    "prometheus-api": Case(
        "prometheus_api", "provides",
        publish=lambda e: e.publish("http://demo-0.demo:9009/prometheus")),
    "metrics-api": Case(
        "prometheus_api", "requires", one_relation=True,
        app_data=lambda app: {"direct_url": f"http://{app}.cos.svc:8080/prometheus"},
        flat_in_units=True),
}
