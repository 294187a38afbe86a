"""Contract adapter of cos_agent: how the contract runner (``kit.contract``) drives this layer.

The principal's cases give upstream ``COSAgentProvider``'s keyword arguments (``args``,
``republish``), the charm's files and, for tracing, the collector unit's databag and the
protocols to look up (``query``). The collector's cases give the relations (the principal's
data in its unit databag) and the collector's tracing settings. Comparison rules are those
of the contract README, made byte-exact by project issue 19: the principal's ``config`` is
the recorded string byte for byte (compact separators, key order, non-ASCII kept, every
compressed dashboard: this liblzma at preset 3 writes upstream's xz bytes, and the
dashboards in the layer's order, name order in each directory, which is the recorded
order), and also equals ``config_decoded`` once decoded; the collector's ``receivers`` byte
for byte but for the order of its entries (upstream iterates a set); the collector's
dashboards and the principal's receivers (decoded values) as unordered collections; the
rest exactly.
"""

import base64
import json
import lzma

from kit import exact
from kit.adapter import Adapter

COLLECTOR_APP = "opentelemetry-collector"
#: The endpoint name the vectors' requirer cases were recorded with (``charm`` in dashboards).
VECTORS_ENDPOINT = "cos-agent"


def decode_config(raw):
    """A ``config`` value decoded as the contract compares it."""
    config = json.loads(raw)
    if isinstance(config.get("dashboards"), list):
        config["dashboards"] = [json.loads(lzma.decompress(base64.b64decode(d)))
                                for d in config["dashboards"]]
    return config


def comparable_config(config):
    """``config`` with ``dashboards`` unordered and null optional fields dropped."""
    config = dict(config)
    config["dashboards"] = sorted(json.dumps(d, sort_keys=True) for d in config["dashboards"])
    for key in ("tracing_protocols", "subordinate"):
        if config.get(key) is None:
            config.pop(key, None)
    return config


def unordered(items):
    return sorted(json.dumps(item, sort_keys=True) for item in items)


class CosAgent(Adapter):
    interface = "cos_agent"
    provides_endpoint = "cos-agent"
    requires_endpoint = "cos-agent-collector"
    provider_inputs = ("args", "files", "republish", "remote_unit_databag", "query")
    provider_expect_fields = ("config_decoded", "tracing")
    requirer_inputs = ("tracing_ready", "tls", "fqdn")
    exposed_fields = ("relations", "metrics_jobs", "log_slots", "metrics_alerts", "logs_alerts",
                      "dashboards", "tracing_protocols")
    after_fields = ("unit_databags", "available_after_departure")
    requirer_writes = True  # receivers, compared by check_after (``unit_databags``)

    # -- principal ------------------------------------------------------------

    def remote(self, case):
        """The collector on the other side: one unit, with the case's databag."""
        return COLLECTOR_APP, {COLLECTOR_APP + "/0": case.get("remote_unit_databag") or {}}

    def provide(self, endpoint, case):
        endpoint.publish(**case["args"])

    def observe(self, endpoint, case):
        """What the principal reads back from the collector: the receivers and the URL of
        every protocol in ``query``."""
        if "query" not in case:
            return {}
        return {"receivers": endpoint.receivers,
                "endpoints": {name: endpoint.get_tracing_endpoint(name) for name in case["query"]}}

    def compare_value(self, bag, key, got, want, case):
        """Byte for byte, but for the order of the ``receivers`` entries (upstream iterates a
        set): each entry and every separator exactly, the entries as a multiset."""
        if key == "receivers":
            exact.assert_same_array_unordered(got, want, f"{bag}[{key!r}]")
        else:
            exact.assert_same_string(got, want, f"{bag}[{key!r}]")

    def check_provider(self, field, expected, unit_bag, seen):
        if field == "config_decoded":
            assert set(unit_bag) == {"config"}, unit_bag
            # the bytes were compared already; decoded, nothing may be unordered or dropped
            assert decode_config(unit_bag["config"]) == expected
        elif field == "tracing":
            assert set(expected) == {"ready", "receivers", "endpoints"}, expected
            assert (seen["receivers"] is not None) == expected["ready"]
            if expected["receivers"] is None:
                assert seen["receivers"] is None
            else:
                assert unordered(seen["receivers"]) == unordered(expected["receivers"])
            assert seen["endpoints"] == expected["endpoints"]
        else:
            raise AssertionError(f"no check for provider field {field!r}")

    # -- collector ------------------------------------------------------------

    def require(self, endpoint, case):
        """The collector charm's call: its tracing settings."""
        endpoint.update_tracing_receivers(fqdn=case["fqdn"], tls=case["tls"],
                                          ready=case["tracing_ready"])

    def exposed(self, endpoint):
        used = {p["relation_id"] for p in endpoint.principals}
        invalid = set(endpoint.invalid_reasons)
        return {
            "relations": {r.relation_id: (True if r.relation_id in used else
                                          False if r.relation_id in invalid else None)
                          for r in endpoint.relations},
            "metrics_jobs": endpoint.metrics_jobs,
            "log_slots": endpoint.snap_log_endpoints,
            "metrics_alerts": endpoint.metrics_alerts,
            "logs_alerts": endpoint.logs_alerts,
            "dashboards": endpoint.dashboards,
            "tracing_protocols": endpoint.requested_tracing_protocols(),
        }

    def compare(self, field, seen, expected, rids):
        if field == "relations":
            assert seen == {rid: entry["valid"] for rid, entry in zip(rids, expected)}
            assert len(expected) == len(rids)
        elif field == "dashboards":
            want = [{"relation_id": rids[d["relation"]],
                     "charm": self._charm(d["charm"]), "title": d["title"], "content": d["content"]}
                    for d in expected]
            assert unordered(seen) == unordered(want)
        else:
            assert seen == expected

    def _charm(self, charm):
        """The vectors' ``{endpoint}-{application}`` with this charm's endpoint name."""
        prefix = VECTORS_ENDPOINT + "-"
        assert charm.startswith(prefix), charm
        return f"{self.requires_endpoint}-{charm[len(prefix):]}"

    def check_after(self, unit, rids, expect):
        """``unit_databags``: the collector's own bag per relation (null: not compared);
        ``available_after_departure``: every principal unit departs; is anything left?"""
        if "unit_databags" in expect:
            assert len(expect["unit_databags"]) == len(rids)
            for rid, want in zip(rids, expect["unit_databags"]):
                if want is None:
                    continue
                got = unit.local_unit_data(rid)
                assert set(got) == set(want), (got, want)
                for key, value in want.items():
                    self.compare_value("unit_databags", key, got[key], value, None)
        if "available_after_departure" in expect:
            for rid in rids:
                for name in sorted(unit.relation(rid)["units"]):
                    unit.remove_unit(rid, name)
            ep = self.requires_endpoint
            assert (f"{ep}.available" in unit.flags) == expect["available_after_departure"]
            seen = {}
            unit.run_hook("update-status", action=lambda e: seen.update(
                self.exposed(e(ep))))
            assert all(not value for key, value in seen.items() if key != "relations"), seen


ADAPTER = CosAgent()
