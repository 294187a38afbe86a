"""The example charm's one place that sets the unit status, with charms.reactive mocked."""

from unittest.mock import MagicMock

import pytest
from charmhelpers.core import hookenv
from charms import reactive
from charms.unit_test import flags

from reactive import demo_status


@pytest.fixture
def endpoints():
    eps = {name: MagicMock(name=name) for name in (
        "metrics-api", "traces-api", "profiling-store", "profiling-targets")}
    reactive.endpoint_from_name.side_effect = eps.__getitem__
    yield eps
    reactive.endpoint_from_name.side_effect = None


def test_nothing_related_is_ready(endpoints):
    demo_status.set_unit_status()
    hookenv.status_set.assert_called_once_with("active", "ready; nothing related yet")


def test_active_lists_what_is_in_use(endpoints):
    endpoints["metrics-api"].get_data.return_value.direct_url = "http://mimir/"
    endpoints["profiling-targets"].jobs.return_value = [{}, {}]
    flags.update({"metrics-api.available", "profiling-targets.available"})
    demo_status.set_unit_status()
    hookenv.status_set.assert_called_once_with("active", "querying http://mimir/, 2 scrape jobs")


def test_problems_and_invalid_data_block(endpoints):
    endpoints["traces-api"].invalid_reason = "grpc is missing"
    flags.update({"traces-api.invalid", "metrics-api.available"})
    demo_status.report_problem("tempo-api", "invalid tempo URL config: bad")
    demo_status.set_unit_status()
    hookenv.status_set.assert_called_once_with(
        "blocked", "invalid tempo URL config: bad; traces-api: grpc is missing")


def test_a_forgotten_problem_no_longer_blocks(endpoints):
    demo_status.report_problem("tempo-api", "invalid tempo URL config: bad")
    demo_status.report_problem("tempo-api")
    demo_status.set_unit_status()
    hookenv.status_set.assert_called_once_with("active", "ready; nothing related yet")


def test_urls_are_shown_without_credentials(endpoints):
    assert demo_status.without_credentials("http://user:pw@mimir:8080/a@b") == "http://mimir:8080/a@b"
    assert demo_status.without_credentials("https://mimir/") == "https://mimir/"
    assert demo_status.without_credentials(None) is None
    assert demo_status.without_credentials("agent:pw@parca:443") == "parca:443"
    assert demo_status.without_credentials("parca.cos.svc:7070") == "parca.cos.svc:7070"
    endpoints["metrics-api"].get_data.return_value.direct_url = "http://u:secret@mimir/"
    flags.add("metrics-api.available")
    demo_status.set_unit_status()
    hookenv.status_set.assert_called_once_with("active", "querying http://mimir/")


def test_related_without_data_says_it_is_waiting(endpoints):
    flags.update({"traces-api.joined", "metrics-api.joined", "metrics-api.available"})
    endpoints["metrics-api"].get_data.return_value.direct_url = "http://mimir/"
    demo_status.set_unit_status()
    hookenv.status_set.assert_called_once_with(
        "active", "querying http://mimir/, traces-api: related, waiting for data")
