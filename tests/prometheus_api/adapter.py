"""Contract adapter of prometheus_api: how the contract runner (``kit.contract``) drives this layer."""

from kit.adapter import Adapter


class PrometheusApi(Adapter):
    interface = "prometheus_api"
    provides_endpoint = "prometheus-api"
    requires_endpoint = "metrics-api"
    provider_inputs = ("publish",)
    exposed_fields = ("data",)  # publish(**case["publish"]), get_data(): the defaults


ADAPTER = PrometheusApi()
