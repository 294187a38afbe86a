"""Fuzzing grafana_dashboard (``kit.fuzz``): a provider's ``dashboards`` of any shape for
Grafana's side, checked against the oracle of ``fuzz_data`` (the contract's rules); and
``add_dashboard`` / ``publish`` arguments of any type for the provider side.

Grafana's side, for every example: no exception escapes the hook; Grafana writes nothing
but ``event``, and ``event`` holds errors exactly when the relation is invalid because of a
failed template; data the contract rejects never sets ``available`` (it sets
``invalid``); data it accepts exposes exactly the oracle's dashboards (each uid once, as
the contract's deduplication keeps them). Provider side: a clean ``ValueError`` that
writes nothing, exactly where the arguments are not what the contract takes, or a
template that decodes back to the content given.
"""

import base64
import json
import lzma

from hypothesis import example, given, settings
from hypothesis import strategies as st

from grafana_dashboard.fuzz_data import dashboards_bag
from kit import fuzz
from kit import fuzz_data as fd
from kit.fuzz_report import counted
from kit.layer import public_flags


def deduplicated(dashboards):
    """The contract's rule over one relation: each non-empty uid once, the highest version,
    then the greatest content."""
    best = {}
    for d in dashboards:
        if not d["dashboard_uid"]:
            continue
        uid = json.dumps(d["dashboard_uid"])
        rank = (d["dashboard_version"], json.dumps(d["content"]))
        if uid not in best or rank > best[uid][0]:
            best[uid] = (rank, d)
    return sorted((json.dumps(d, sort_keys=True) for _, d in best.values()))


def _read(endpoint, seen):
    seen["dashboards"] = endpoint.dashboards
    seen["reason"] = endpoint.invalid_reason


@settings(**fuzz.SETTINGS)
@given(example=dashboards_bag())
@example(example=({"dashboards": "[" * 3000 + "]" * 3000}, fd.Verdict(fd.UNKNOWN)))
@example(example=({"dashboards": '{"templates": {"file:x": 5}}'}, fd.Verdict(fd.INVALID)))
def test_fuzz_grafana_dashboard_requires(make_unit, example):
    side = "requires"
    related = fuzz.relate(make_unit, "grafana_dashboard", side)
    bag, verdict = example
    with counted("grafana_dashboard", side):
        unit = related.next()
        seen = {}
        result = related.feed(bag, action=lambda e: _read(e(related.layer.requires), seen))
        assert result.error is None, result.error
        flags = public_flags(unit.flags, related.layer.requires)
        available = related.layer.requires + ".available" in flags
        invalid = related.layer.requires + ".invalid" in flags
        written = unit.local_app_data(related.rid)
        assert set(written) <= {"event"}, written
        errors = json.loads(written["event"]).get("errors") if written.get("event") else None
        if errors:
            assert invalid
        if verdict.kind == fd.INVALID:
            assert invalid and not available and seen["reason"]
        elif verdict.kind == fd.EMPTY:
            assert not invalid and not available
        elif verdict.kind == fd.VALID:
            assert not invalid, seen["reason"]
            got = [dict(d, content=json.loads(d["content"])) for d in seen["dashboards"]]
            assert all(d.pop("relation_id") == related.rid for d in got)
            assert sorted(json.dumps(d, sort_keys=True) for d in got) == deduplicated(
                verdict.expected)
            assert available == bool(got)
        if available:
            for d in seen["dashboards"]:
                assert isinstance(json.loads(d["content"]), dict)
                assert d["dashboard_uid"] and isinstance(d["dashboard_version"], int)
        else:
            assert seen["dashboards"] == []


CONTENT = st.one_of(st.text(fd.CHARS, max_size=40), fd.JSON_TEXT, fd.ODD_ARG)
INJECT = st.one_of(st.booleans(), fd.ODD_ARG)


@fuzz.provides_settings()
@given(content=CONTENT, inject=INJECT)
@example(content='{"title": "x"}', inject=False)
def test_fuzz_grafana_dashboard_provides(make_unit, content, inject):
    side = "provides"
    related = fuzz.relate(make_unit, "grafana_dashboard", side)
    ok = isinstance(content, str) and isinstance(inject, bool)
    with counted("grafana_dashboard", side):
        error, app, unit_bag = fuzz.provide(
            related, lambda e: e.add_dashboard(content, inject_dropdowns=inject))
        assert unit_bag == {}
        if not ok:
            assert error is not None and str(error)
            return
        assert error is None, error
        templates = json.loads(app["dashboards"])["templates"]
        mine = [(key, tmpl) for key, tmpl in templates.items() if key.startswith("prog:")
                and lzma.decompress(base64.b64decode(tmpl["content"])).decode() == content]
        assert len(mine) == 1
        key, tmpl = mine[0]
        assert key == "prog:" + tmpl["content"][-24:-16]
        assert tmpl["inject_dropdowns"] is inject and (tmpl["juju_topology"] != {}) is inject
