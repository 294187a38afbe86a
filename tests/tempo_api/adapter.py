"""Contract adapter of tempo_api: how the contract runner (``kit.contract``) drives this layer."""

from kit.adapter import Adapter


class TempoApi(Adapter):
    interface = "tempo_api"
    provides_endpoint = "tempo-api"
    requires_endpoint = "traces-api"
    provider_inputs = ("publish",)
    exposed_fields = ("data",)  # publish(**case["publish"]), get_data(): the defaults


ADAPTER = TempoApi()
