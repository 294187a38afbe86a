"""Contract adapter of prometheus_scrape: how the contract runner (``kit.contract``) drives
this layer.

Provider cases give upstream ``MetricsEndpointProvider``'s keyword arguments (``args``;
``lookaside_jobs`` is what its callable returns, which a reactive charm passes as jobs),
the charm's files, ``republish`` (``update_scrape_job_spec``: the charm publishes again with
new jobs), ``publish_twice`` and ``remote_app_databag`` (Prometheus' ``event``). Requirer
cases give the relations and ``fallback_scrape_protocol``. Comparison rules are those of
the contract README: the JSON keys after ``json.loads``, jobs as an unordered collection of
jobs, alerts exactly, ``event`` after ``json.loads``.
"""

import json
import socket
from unittest import mock

from kit.adapter import Adapter

PROVIDES = "metrics-endpoint"
REQUIRES = "metrics-targets"


def unordered(items):
    return sorted(json.dumps(item, sort_keys=True) for item in items)


def publish_kwargs(args):
    """The layer's ``publish`` arguments for upstream's constructor arguments."""
    kwargs = {k: args[k] for k in ("alert_rules_path", "forward_alert_rules", "external_url")
              if k in args}
    jobs = list(args.get("jobs") or []) + list(args.get("lookaside_jobs") or [])
    kwargs["jobs"] = jobs or None
    return kwargs


class PrometheusScrape(Adapter):
    interface = "prometheus_scrape"
    provides_endpoint = PROVIDES
    requires_endpoint = REQUIRES
    #: the leader writes ``event`` back (checked by check_after, ``app_databags``)
    requirer_writes = True
    provider_inputs = ("args", "files", "republish", "publish_twice", "remote_app_databag")
    provider_expect_fields = ("events",)
    requirer_inputs = ("fallback_scrape_protocol",)
    exposed_fields = ("jobs", "alerts")
    after_fields = ("relations", "app_databags")

    # -- provider -------------------------------------------------------------

    def unit_kwargs(self, case):
        """The unit's address on the relation is the case's ``bind_address`` (None: the
        binding has none)."""
        local = case.get("local") or {}
        if "bind_address" in local:
            return {"address": local["bind_address"], "fqdn": local.get("fqdn")}
        return {}

    def remote(self, case):
        """Prometheus on the other side: one unit; its application bag is the case's."""
        return "prometheus", None

    def remote_app_data(self, case):
        """Prometheus' application bag (its ``event``), read back by the target's leader."""
        return case.get("remote_app_databag")

    def provide(self, endpoint, case):
        fqdn = (case.get("local") or {}).get("fqdn") or "unit.example"
        with mock.patch.object(socket, "getfqdn", return_value=fqdn):
            kwargs = publish_kwargs(case["args"])
            endpoint.publish(**kwargs)
            if case.get("publish_twice"):
                endpoint.publish(**kwargs)

    def observe(self, endpoint, case):
        """What the target reports, as upstream's events, from ``validation``."""
        events = []
        for report in endpoint.validation.values():
            events.append({"event": "alert_rule_status_changed", "valid": report["valid"],
                           "errors": report["errors"]})
            if report["scrape_job_errors"]:
                events.append({"event": "invalid_scrape_job",
                               "errors": report["scrape_job_errors"]})
        return {"events": events}

    def check_provider(self, field, expected, unit_bag, seen):
        assert field == "events", field
        assert seen["events"] == expected

    # -- requirer -------------------------------------------------------------

    def require(self, endpoint, case):
        endpoint.set_fallback_scrape_protocol(case.get("fallback_scrape_protocol"))

    def exposed(self, endpoint):
        return {"jobs": endpoint.jobs(), "alerts": endpoint.alerts_by_relation}

    def available(self, expect):
        return bool(expect["jobs"] or expect["alerts"])

    def compare(self, field, seen, expected, rids):
        if field == "jobs":
            assert unordered(seen) == unordered(expected)
        elif field == "alerts":
            want = [{"relation_id": rids[a["relation"]], "identifier": a["identifier"],
                     "rules": a["rules"]} for a in expected]
            assert seen == want
        else:
            raise AssertionError(f"no comparison for {field!r}")

    def check_after(self, unit, rids, expect):
        """``relations``: per relation, ``false`` when the layer reports it invalid, else
        ``true`` when its application bag has ``scrape_jobs`` or ``alert_rules`` (units or
        not), else ``null``. ``app_databags``: Prometheus' own application bag per
        relation, ``event`` after ``json.loads``."""
        if "relations" in expect:
            seen = {}
            unit.run_hook("update-status", action=lambda e: seen.update(
                invalid=set(e(REQUIRES).invalid_reasons)))
            assert len(expect["relations"]) == len(rids)
            for rid, want in zip(rids, expect["relations"]):
                bag = unit.relation(rid)["app"]
                got = (False if rid in seen["invalid"] else
                       True if bag.get("scrape_jobs") or bag.get("alert_rules") else None)
                assert got == want["valid"], (rid, got, want)
        if "app_databags" in expect:
            want = expect["app_databags"]
            assert len(want) == len(rids)
            for rid, bag in zip(rids, want):
                got = unit.local_app_data(rid)
                assert set(got) == set(bag), (got, bag)
                for key, value in bag.items():
                    assert json.loads(got[key]) == json.loads(value), (key, got, bag)


ADAPTER = PrometheusScrape()
