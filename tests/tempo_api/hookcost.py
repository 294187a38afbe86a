"""tempo_api's hook-cost cases (``kit.hookcases``): ``make bench`` and the call-count tests
(``crosslayer/test_hook_cost.py``)."""

import json

from kit.hookcases import Case

#: example charm config the bench sets (its handlers publish it)
CONFIG = {
    "tempo-direct-url-http": "http://demo-0.demo:3200/",
    "tempo-direct-url-grpc": "http://demo-0.demo:9096/",
}


def _tempo_app(app):
    return {"http": json.dumps({"direct_url": f"http://{app}:3200/"}),
            "grpc": json.dumps({"direct_url": f"http://{app}:9096/"})}


ENDPOINTS = {
    "tempo-api": Case(
        "tempo_api", "provides",
        publish=lambda e: e.publish("http://demo-0.demo:3200/", "http://demo-0.demo:9096/")),
    # tempo_api's requirer takes one application too (upstream: one Tempo); the example's
    # metadata does not say limit: 1 for it, but more than one related application is
    # "invalid" there, so it is measured on one relation like the others.
    "traces-api": Case("tempo_api", "requires", one_relation=True, app_data=_tempo_app),
}
