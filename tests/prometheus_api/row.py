"""prometheus_api's row of the cross-layer table (``kit.layer.Layer``)."""

from kit.layer import Layer

ROW = Layer(
    interface="prometheus_api", provides="prometheus-api", requires="metrics-api",
    remote_app="mimir",
    app_data={"direct_url": "http://mimir.cos.svc:8080/prometheus"},
    other_app_data={"direct_url": "http://mimir-2.cos.svc:8080/prometheus",
                    "ingress_url": "https://mimir.example.com/prometheus"},
    publish=lambda e: e.publish("http://demo-0.demo:9090/api"),
    publish_other=lambda e: e.publish("http://demo-1.demo:9090/api",
                                      ingress_url="https://demo.example.com/api"),
    exposed=lambda e: e.get_data() and e.get_data().as_dict(),
    app_keys=("direct_url", "ingress_url"),
)
