"""profiling's row of the cross-layer table (``kit.layer.Layer``)."""

import json

from kit.layer import Layer


def _bag(address, insecure):
    return {"otlp_grpc_endpoint_url": json.dumps(address), "insecure": json.dumps(insecure)}


ROW = Layer(
    interface="profiling", provides="receive-profiles", requires="send-profiles",
    remote_app="pyroscope",
    app_data=_bag("pyroscope-0.pyroscope-endpoints.cos.svc.cluster.local:4040", False),
    other_app_data=_bag("pyroscope-1.pyroscope-endpoints.cos.svc.cluster.local:4040", True),
    publish=lambda e: e.publish_endpoint("demo-0.demo-endpoints.cos.svc.cluster.local:4317"),
    publish_other=lambda e: e.publish_endpoint("demo-1.demo-endpoints.cos.svc.cluster.local:4317",
                                               insecure=True),
    exposed=lambda e: [endpoint.as_dict() for endpoint in e.get_endpoints()],
    app_keys=("otlp_grpc_endpoint_url", "insecure"),
    # the address holds no URL: one with credentials, passed through verbatim
    secret_data=lambda password: {"otlp_grpc_endpoint_url": json.dumps(
        f"https://agent:{password}@pyroscope.example.com:443")},
    unusable_data={"insecure": '"sometimes"'},
)
