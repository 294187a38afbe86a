"""Contract adapter of grafana_dashboard: how the contract runner (``kit.contract``) drives
this layer.

Provider cases give the ``publish`` arguments (``args``), the charm's files, programmatic
``calls`` in order, and what Grafana then writes back (``remote_app_databag``, its
``event``); the databags are compared byte for byte (the recorded bytes are what this
layer's compressor writes too), and ``dashboards_decoded`` / ``events`` as the contract
says. Requirer cases give the relations and later ``changes`` of a remote application
bag; the dashboards are compared as an unordered collection, ``event`` after decoding
with its errors' ids unordered and their texts not compared.
"""

import base64
import hashlib
import json
import lzma

from kit.adapter import Adapter


def decoded_dashboards(raw):
    """A ``dashboards`` value with every template's ``content`` decoded to its JSON."""
    value = json.loads(raw)
    for tmpl in value["templates"].values():
        tmpl["content"] = json.loads(lzma.decompress(base64.b64decode(tmpl["content"])))
    return value


def unordered(items):
    return sorted(json.dumps(item, sort_keys=True) for item in items)


def comparable_event(raw):
    """``event`` as the contract compares it: decoded (absent: ``{}``), the errors' ids as an
    unordered collection, their texts left out."""
    event = json.loads(raw) if raw else {}
    if "errors" in event:
        event["errors"] = sorted(e["dashboard_id"] for e in event["errors"])
    return event


class GrafanaDashboard(Adapter):
    interface = "grafana_dashboard"
    provides_endpoint = "grafana-dashboard"
    requires_endpoint = "dashboards"
    provider_inputs = ("args", "files", "calls", "remote_app_databag")
    provider_expect_fields = ("dashboards_decoded", "events")
    requirer_inputs = ("changes",)
    exposed_fields = ("relations", "dashboards", "has_invalid_dashboards")
    after_fields = ("app_databags",)
    #: the leader writes ``event`` back (checked by check_after, ``app_databags``)
    requirer_writes = True

    def drive(self, unit, rids, case):
        """Grafana writes its ``event`` (provider cases); a remote application bag is replaced
        (requirer ``changes``)."""
        if case["side"] == "provider" and "remote_app_databag" in case:
            unit.set_remote_app_data(rids[0], case["remote_app_databag"])
        for change in case.get("changes", ()):
            unit.set_remote_app_data(rids[change["relation"]], change["app_databag"],
                                     replace=True)

    # -- provider -------------------------------------------------------------

    def provide(self, endpoint, case):
        endpoint.publish(**case["args"])
        for call in case.get("calls", ()):
            (method, kwargs), = call.items()
            assert method in ("add_dashboard", "remove_non_builtin_dashboards",
                              "reload_dashboards"), method
            getattr(endpoint, method)(**kwargs)

    def observe(self, endpoint, case):
        status = endpoint.validation
        return {"templates": endpoint.templates,
                "events": [dict({"event": "dashboard_status_changed"}, **status)]
                if status else []}

    def check_provider(self, field, expected, unit_bag, seen):
        if field == "events":
            assert seen["events"] == expected
        elif field == "dashboards_decoded":
            templates = seen["templates"]
            text = json.dumps(templates, sort_keys=True)
            assert expected["uuid"] == hashlib.shake_128(text.encode()).digest(8).hex()
            got = decoded_dashboards(json.dumps({"templates": templates}))["templates"]
            want = expected["templates"]
            for key in got:
                if key.startswith("prog:"):
                    assert key == "prog:" + templates[key]["content"][-24:-16]
            assert list(got) == list(want)
            assert got == want
        else:
            raise AssertionError(f"no check for provider field {field!r}")

    # -- requirer -------------------------------------------------------------

    def exposed(self, endpoint):
        return {
            "relations": {r.relation_id: endpoint.relation_valid(r.relation_id)
                          for r in endpoint.relations},
            "dashboards": endpoint.dashboards,
            "has_invalid_dashboards": endpoint.has_invalid_dashboards(),
        }

    def compare(self, field, seen, expected, rids):
        if field == "relations":
            assert len(expected) == len(rids)
            assert seen == {rid: entry["valid"] for rid, entry in zip(rids, expected)}
        elif field == "dashboards":
            got = [dict(d, content=json.loads(d["content"])) for d in seen]
            want = [dict({k: v for k, v in d.items() if k != "relation"},
                         relation_id=rids[d["relation"]]) for d in expected]
            assert unordered(got) == unordered(want)
        else:
            assert seen == expected

    def check_after(self, unit, rids, expect):
        """``app_databags``: Grafana's own application bag per relation."""
        bags = expect["app_databags"]
        assert len(bags) == len(rids)
        for rid, want in zip(rids, bags):
            got = unit.local_app_data(rid)
            assert set(got) <= {"event"}, got
            assert set(want) <= {"event"}, want
            assert comparable_event(got.get("event")) == comparable_event(want.get("event"))


ADAPTER = GrafanaDashboard()
