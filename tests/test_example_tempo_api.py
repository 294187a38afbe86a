"""End to end: the built example charm's tempo_api handlers, run as Juju runs hooks.

Every interface's handlers in the example charm set the unit status, and the
order in which charms.reactive runs handlers of different files is undefined,
so these tests check the ``status-set`` calls a hook made (in the calls log),
not the status the hook ended with. Each hook of a built charm is a process
of its own (about two seconds), so each test walks through one whole story.
"""

import os

TEMPO = {"http": '{"direct_url": "http://tempo.cos.svc:3200/"}',
         "grpc": '{"direct_url": "http://tempo.cos.svc:9096/", '
                 '"ingress_url": "https://cos.example.com:9096/"}'}
WAITING = ["waiting", "waiting for a Tempo-compatible API on traces-api"]


def statuses(result):
    """``[state, message]`` of every unit status-set call the hook made."""
    return [args[-2:] for args in result.tool_calls("status-set") if "--application" not in args]


def blocked(result):
    return [message for state, message in statuses(result) if state == "blocked"]


def test_built_charm_contains_the_tempo_api_layer(built_charm):
    layer = os.path.join(built_charm, "hooks", "relations", "tempo_api")
    files = set(os.listdir(layer))
    assert {"__init__.py", "common.py", "provides.py", "requires.py", "interface.yaml"} <= files
    assert not files & {"README.md", "docs", "tests"}
    hooks = set(os.listdir(os.path.join(built_charm, "hooks")))
    for endpoint in ("tempo-api", "traces-api"):
        for event in ("created", "joined", "changed", "departed", "broken"):
            assert f"{endpoint}-relation-{event}" in hooks
    assert os.path.exists(os.path.join(built_charm, "reactive", "demo_tempo_api.py"))


def test_example_waits_uses_reports_and_forgets_the_traces_api(make_unit, built_charm):
    unit = make_unit(charm=built_charm, runner="exec")
    assert WAITING in statuses(unit.run_hook("install"))

    # Tempo is related with its data already published.
    rid = unit.relate("traces-api", "tempo", units=1, app_data=TEMPO)
    created, joined, changed = unit.history[-3:]
    assert WAITING in statuses(created)  # no remote unit yet: the data is not read
    assert ("INFO", "traces-api: Tempo HTTP API at http://tempo.cos.svc:3200/ (ingress: none), "
                    "gRPC at http://tempo.cos.svc:9096/ (ingress: https://cos.example.com:9096/)"
            ) in joined.logs
    assert ["active", "querying traces at http://tempo.cos.svc:3200/"] in statuses(joined)
    assert WAITING not in statuses(joined) + statuses(changed)
    # the handler cleared the layer's changed flag; available stays
    assert "traces-api.available" in unit.flags and "traces-api.changed" not in unit.flags

    # A hook with nothing new neither re-runs the handler nor touches the relation.
    result = unit.run_hook("update-status")
    assert not [m for _, m in result.logs if m.startswith("traces-api: Tempo HTTP API")]
    assert result.tool_calls("relation-get") == [] and result.relation_sets == []

    # Tempo publishes something unusable: blocked, one warning, no failed hook.
    result = unit.set_remote_app_data(rid, {"grpc": ""})
    assert result.error is None
    assert [level for level, m in result.logs if "grpc is missing" in m] == ["WARNING"]
    assert len(blocked(result)) == 1 and blocked(result)[0].startswith("traces-api: ")
    assert {"traces-api.invalid", "traces-api.changed"} <= unit.flags
    assert "traces-api.available" not in unit.flags

    # The relation goes away: every flag clears and the charm waits again.
    result = unit.remove_relation(rid)
    assert result.error is None
    assert not {f for f in unit.flags if f.startswith("traces-api.")}
    assert WAITING in statuses(result)


def test_example_publishes_its_tempo_api_from_config_on_the_leader(make_unit, built_charm):
    unit = make_unit(charm=built_charm, runner="exec", leader=False,
                     config={"tempo-direct-url-http": "HTTP://Demo:3200"})
    unit.run_hook("install")
    rid = unit.relate("tempo-api", "grafana", units=1)
    assert "tempo-api.joined" in unit.flags
    assert unit.local_app_data(rid) == {}  # not the leader

    # Leader now, but the gRPC URL is not configured: nothing to publish.
    result = unit.set_leader(True)
    assert result.relation_sets == [] and unit.local_app_data(rid) == {}

    # A grpc:// URL is refused with a message saying what to use instead.
    result = unit.set_config(**{"tempo-direct-url-grpc": "grpc://demo:9096"})
    assert result.error is None
    assert len(blocked(result)) == 1
    assert "direct_url_grpc" in blocked(result)[0] and "use http or https" in blocked(result)[0]
    assert unit.local_app_data(rid) == {}

    result = unit.set_config(**{"tempo-direct-url-grpc": "http://demo:9096",
                                "tempo-ingress-url-http": "https://cos.example.com/demo"})
    assert len(result.relation_sets) == 1
    assert unit.local_app_data(rid) == {
        "http": '{"direct_url": "http://demo:3200/", '
                '"ingress_url": "https://cos.example.com/demo"}',
        "grpc": '{"direct_url": "http://demo:9096/"}'}
    assert unit.run_hook("update-status").relation_sets == []

    # Leadership moves away; the URLs change; this unit writes them once it leads again.
    unit.set_leader(False)
    result = unit.set_config(**{"tempo-ingress-url-http": ""})
    assert result.relation_sets == []
    result = unit.set_leader(True)
    assert len(result.relation_sets) == 1
    assert unit.local_app_data(rid) == {"http": '{"direct_url": "http://demo:3200/"}',
                                        "grpc": '{"direct_url": "http://demo:9096/"}'}
