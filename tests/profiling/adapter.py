"""Contract adapter of profiling: how the contract runner (``kit.contract``) drives this layer:
the example charm's endpoints, the provider call, and what the requirer exposes
(``get_endpoints()`` as upstream's ``{otlp_grpc, insecure}`` dicts)."""

from kit.adapter import Adapter


class Profiling(Adapter):
    interface = "profiling"
    provides_endpoint = "receive-profiles"
    requires_endpoint = "send-profiles"
    provider_inputs = ("publish",)
    exposed_fields = ("endpoints",)

    def provide(self, endpoint, case):
        endpoint.publish_endpoint(**case["publish"])

    def exposed(self, endpoint):
        return {"endpoints": [e.as_dict() for e in endpoint.get_endpoints()]}


ADAPTER = Profiling()
