"""Contract adapter of tempo_api."""

from .base import Adapter, register


@register
class TempoApi(Adapter):
    interface = "tempo_api"
    provides_endpoint = "tempo-api"
    requires_endpoint = "traces-api"
    json_keys = ("http", "grpc")
    provider_inputs = ("publish",)
    exposed_fields = ("data",)

    def provide(self, endpoint, case):
        endpoint.publish(**case["publish"])

    def exposed(self, endpoint):
        data = endpoint.get_data()
        return {"data": data.as_dict() if data else None}
