"""One row per interface layer: what the cross-layer robustness tests need to drive it.

The robustness tests (``test_robustness_*.py``) run the same scenario against
every layer; this table says, per layer, which endpoints of the test charm to
use, what valid remote data looks like, how a charm handler publishes, and
where the layer keeps its state. Adding a layer means adding a row.
"""

import json
from dataclasses import dataclass, field
from typing import Callable, Dict, Optional

UUID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


@dataclass(frozen=True)
class Layer:
    #: interface name (interface.yaml ``name``, the kv key prefix ``interface.<name>.``)
    interface: str
    #: endpoint names in the example charm's metadata.yaml
    provides: str
    requires: str
    #: the related application's name on the requires side
    remote_app: str
    #: remote application databag that the requires side accepts, and another one
    app_data: Dict[str, str]
    other_app_data: Dict[str, str]
    #: ``publish(endpoint)`` and ``publish_other(endpoint)``: a charm handler's call
    publish: Callable
    publish_other: Callable
    #: what the requires side exposes (comparable values), from the endpoint
    exposed: Callable
    #: remote unit databags the requires side needs (by unit index), if any
    unit_data: Dict[int, Dict[str, str]] = field(default_factory=dict)
    #: whether provides writes the unit's own databag too (parca_scrape: its address)
    writes_unit_data: bool = False
    #: the app databag keys that are the layer's (everything else is not written)
    app_keys: tuple = ()
    #: charm config the test charm starts with (none needed by the layers)
    config: Optional[dict] = None

    @property
    def id(self):
        return self.interface

    def kv_prefix(self, endpoint):
        """Where the layer keeps its state for ``endpoint`` in the unit's key-value store."""
        return f"interface.{self.interface}.{endpoint}."


def _tempo_bag(host):
    return {"http": json.dumps({"direct_url": f"http://{host}:3200/"}),
            "grpc": json.dumps({"direct_url": f"http://{host}:9096/"})}


def _scrape_bag(app, port):
    return {
        "scrape_metadata": json.dumps({"model": "cos", "model_uuid": UUID, "application": app,
                                       "unit": f"{app}/0", "charm_name": app}),
        "scrape_jobs": json.dumps([{"static_configs": [{"targets": [f"*:{port}"]}]}]),
    }


def _store_config(endpoint):
    data = endpoint.get_data()
    return data and (data.as_dict(), data.bearer_token)


LAYERS = [
    Layer(
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
    ),
    Layer(
        interface="tempo_api", provides="tempo-api", requires="traces-api",
        remote_app="tempo",
        app_data=_tempo_bag("tempo.cos.svc"),
        other_app_data=_tempo_bag("tempo-2.cos.svc"),
        publish=lambda e: e.publish("http://demo:3200/", "http://demo:9096/"),
        publish_other=lambda e: e.publish("http://demo-1:3200/", "http://demo-1:9096/",
                                          ingress_url_http="https://demo.example.com/"),
        exposed=lambda e: e.get_data() and e.get_data().as_dict(),
        app_keys=("http", "grpc"),
    ),
    Layer(
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
    ),
    Layer(
        interface="parca_store", provides="parca-store-endpoint", requires="profiling-store",
        remote_app="parca",
        app_data={"remote-store-address": "parca.cos.svc:7070",
                  "remote-store-bearer-token": "tok-3f1a9c2e7b5d4e60",
                  "remote-store-insecure": "false"},
        other_app_data={"remote-store-address": "parca-2.cos.svc:7070",
                        "remote-store-bearer-token": "tok-88d1c0e4a2f94b17",
                        "remote-store-insecure": "true"},
        publish=lambda e: e.publish(bearer_token="tok-5e2b7d9a0c3f4a81"),
        publish_other=lambda e: e.publish(port=7171, insecure=True,
                                          bearer_token="tok-0f6c3a8e1d2b4c95"),
        exposed=_store_config,
        app_keys=("remote-store-address", "remote-store-bearer-token", "remote-store-insecure"),
    ),
]

BY_NAME = {layer.interface: layer for layer in LAYERS}


def public_flags(flags, endpoint):
    """The flags of ``flags`` that are ``endpoint``'s public ones (``{endpoint}.*``)."""
    return {f for f in flags if f.startswith(endpoint + ".")}


def relate_requires(unit, layer, app_data=None, **kw):
    """Relate ``unit``'s requires endpoint to the layer's remote application, with data."""
    data = layer.app_data if app_data is None else app_data
    names = [f"{layer.remote_app}/{i}" for i in range(max(1, len(layer.unit_data)))]
    unit_data = {names[i]: bag for i, bag in layer.unit_data.items()}
    return unit.relate(layer.requires, layer.remote_app, units=names, app_data=data,
                       unit_data=unit_data, **kw)
