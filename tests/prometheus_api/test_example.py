"""End to end: the built example charm's prometheus_api handlers, run as Juju runs hooks."""

import pytest

MIMIR = {"direct_url": "http://mimir.cos.svc:8080/prometheus"}


@pytest.fixture
def unit(make_unit, built_charm):
    u = make_unit(charm=built_charm, runner="exec")
    u.start()
    return u


def test_example_is_ready_then_uses_the_metrics_api(unit):
    assert unit.status == ["active", "ready; nothing related yet"]
    rid = unit.relate("metrics-api", "mimir", units=1)
    result = unit.set_remote_app_data(rid, MIMIR)
    assert ("INFO", "metrics-api: query API at http://mimir.cos.svc:8080/prometheus "
                    "(ingress: none)") in result.logs
    assert unit.status == ["active", "querying http://mimir.cos.svc:8080/prometheus"]
    # the handler cleared the layer's changed flag; available stays
    assert "metrics-api.available" in unit.flags and "metrics-api.changed" not in unit.flags


def test_example_reports_unusable_data_as_blocked(unit):
    rid = unit.relate("metrics-api", "mimir", units=1)
    result = unit.set_remote_app_data(rid, {"direct_url": "mimir:8080"})
    assert result.error is None
    state, message = unit.status
    assert state == "blocked" and "direct_url" in message


def test_example_publishes_its_api_from_config(unit):
    rid = unit.relate("prometheus-api", "grafana", units=1)
    assert unit.local_app_data(rid) == {}
    unit.set_config(**{"prometheus-direct-url": "HTTP://Demo:80/api"})
    assert unit.local_app_data(rid) == {"direct_url": "http://demo/api"}
    result = unit.run_hook("update-status")
    assert result.relation_sets == []


def test_example_blocks_on_a_bad_url_in_config(unit):
    unit.relate("prometheus-api", "grafana", units=1)
    result = unit.set_config(**{"prometheus-direct-url": "ftp://demo/"})
    assert result.error is None
    state, message = unit.status
    assert state == "blocked" and "direct_url" in message
    unit.set_config(**{"prometheus-direct-url": "http://demo/"})
    assert unit.status == ["active", "ready; nothing related yet"]


def test_example_hooks_survive_the_relation_going_away(unit):
    rid = unit.relate("metrics-api", "mimir", units=1, app_data=MIMIR)
    unit.remove_relation(rid)
    assert not {f for f in unit.flags if f.startswith("metrics-api.")}
    assert unit.status == ["active", "ready; nothing related yet"]
