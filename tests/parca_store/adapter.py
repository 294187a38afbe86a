"""Contract adapter of parca_store: how the contract runner (``kit.contract``) drives this layer."""

import socket
from unittest import mock

from kit.adapter import Adapter


class ParcaStore(Adapter):
    interface = "parca_store"
    provides_endpoint = "parca-store-endpoint"
    requires_endpoint = "profiling-store"
    provider_inputs = ("args", "token")
    exposed_fields = ("config",)
    after_fields = ("available_after_departure",)

    def unit_kwargs(self, case):
        """The unit's address on its relations (``bind_address``; null: none) and its FQDN."""
        if case.get("side") != "provider":
            return {}
        return {"address": case["bind_address"], "fqdn": case["fqdn"]}

    def provide(self, endpoint, case):
        # The layer falls back to socket.getfqdn(): make it answer the case's FQDN.
        with mock.patch.object(socket, "getfqdn", return_value=case["fqdn"]):
            endpoint.publish(bearer_token=case["token"], **case["args"])

    def exposed(self, endpoint):
        return {"config": endpoint.config}

    def check_after(self, unit, rids, expect):
        """``available_after_departure``: every remote unit departs; is ``available`` still set?"""
        for rid in rids:
            for name in sorted(unit.relation(rid)["units"]):
                unit.remove_unit(rid, name)
        available = f"{self.requires_endpoint}.available" in unit.flags
        assert available == expect["available_after_departure"]


ADAPTER = ParcaStore()
