"""End to end: the built example charm's tempo_api handlers, run as Juju runs hooks.

The example charm sets its unit status once, at the end of every hook
(reactive/demo_status.py), so the tests check the status each hook ended
with. Each hook of a built charm is a process of its own, so each test walks
through one whole story.
"""

import os

TEMPO = {"http": '{"direct_url": "http://tempo.cos.svc:3200/"}',
         "grpc": '{"direct_url": "http://tempo.cos.svc:9096/", '
                 '"ingress_url": "https://cos.example.com:9096/"}'}
READY = ["active", "ready; nothing related yet"]


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
    unit.run_hook("install")
    assert unit.status == READY

    # Tempo is related with its data already published.
    rid = unit.relate("traces-api", "tempo", units=1, app_data=TEMPO)
    created, joined, changed = unit.history[-3:]
    assert not created.tool_calls("relation-get")  # no remote unit yet: the data is not read
    assert ("INFO", "traces-api: Tempo HTTP API at http://tempo.cos.svc:3200/ (ingress: none), "
                    "gRPC at http://tempo.cos.svc:9096/ (ingress: https://cos.example.com:9096/)"
            ) in joined.logs
    assert unit.status == ["active", "traces at http://tempo.cos.svc:3200/"]
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
    assert unit.status[0] == "blocked" and unit.status[1].startswith("traces-api: ")
    assert "traces-api.invalid" in unit.flags
    assert "traces-api.available" not in unit.flags
    # the departure handler saw changed without available, stopped using the API, cleared it
    assert ("INFO", "traces-api: no Tempo API any more") in result.logs
    assert "traces-api.changed" not in unit.flags

    # The relation goes away: every flag clears and the charm is back to ready.
    result = unit.remove_relation(rid)
    assert result.error is None
    assert not {f for f in unit.flags if f.startswith("traces-api.")}
    assert unit.status == READY


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
    state, message = unit.status
    assert state == "blocked"
    assert "direct_url_grpc" in message and "use http or https" in message
    assert unit.local_app_data(rid) == {}

    result = unit.set_config(**{"tempo-direct-url-grpc": "http://demo:9096",
                                "tempo-ingress-url-http": "https://cos.example.com/demo"})
    assert len(result.relation_sets) == 1
    assert unit.status == READY
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
