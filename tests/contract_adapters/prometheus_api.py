"""Contract adapter of prometheus_api."""

from .base import Adapter, register


@register
class PrometheusApi(Adapter):
    interface = "prometheus_api"
    provides_endpoint = "prometheus-api"
    requires_endpoint = "metrics-api"
    provider_inputs = ("publish",)
    exposed_fields = ("data",)

    def provide(self, endpoint, case):
        endpoint.publish(**case["publish"])

    def exposed(self, endpoint):
        data = endpoint.get_data()
        return {"data": data.as_dict() if data else None}
