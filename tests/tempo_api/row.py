"""tempo_api's row of the cross-layer table (``kit.layer.Layer``)."""

import json

from kit.layer import Layer


def _tempo_bag(host):
    return {"http": json.dumps({"direct_url": f"http://{host}:3200/"}),
            "grpc": json.dumps({"direct_url": f"http://{host}:9096/"})}


ROW = Layer(
    interface="tempo_api", provides="tempo-api", requires="traces-api",
    remote_app="tempo",
    app_data=_tempo_bag("tempo.cos.svc"),
    other_app_data=_tempo_bag("tempo-2.cos.svc"),
    publish=lambda e: e.publish("http://demo:3200/", "http://demo:9096/"),
    publish_other=lambda e: e.publish("http://demo-1:3200/", "http://demo-1:9096/",
                                      ingress_url_http="https://demo.example.com/"),
    exposed=lambda e: e.get_data() and e.get_data().as_dict(),
    app_keys=("http", "grpc"),
)
