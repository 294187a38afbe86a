"""author-charm's handlers one at a time, with charms.reactive and charmhelpers mocked."""

import json
from unittest.mock import MagicMock

import pytest
from charmhelpers.core import hookenv
from charms import reactive
from charms.unit_test import flags

from reactive import author_charm as charm


@pytest.fixture
def endpoint(tmp_path):
    hookenv.charm_dir.return_value = str(tmp_path)
    ep = MagicMock(name="endpoint")
    reactive.endpoint_from_name.return_value = ep
    return ep


def written(tmp_path):
    return json.loads((tmp_path / "author-charm.json").read_text())


def test_offer_pprof_endpoints_asks_for_both_ports(endpoint):
    charm.offer_pprof_endpoints()
    reactive.endpoint_from_name.assert_called_with("profiling")
    endpoint.update_scrape_job_spec.assert_called_once_with([{
        "job_name": "author-charm",
        "static_configs": [{"targets": ["*:6060", "*:6061"]}]}])


def test_configure_metrics_api_writes_the_url_and_clears_changed(endpoint, tmp_path):
    endpoint.get_data.return_value = MagicMock(direct_url="http://mimir/")
    flags.add("metrics.changed")
    charm.configure_metrics_api()
    assert written(tmp_path) == {"prometheus_url": "http://mimir/"}
    assert "metrics.changed" not in flags


def test_configure_metrics_api_with_no_data_writes_none(endpoint, tmp_path):
    endpoint.get_data.return_value = None
    charm.configure_metrics_api()
    assert written(tmp_path) == {"prometheus_url": None}


def test_offer_tempo_api_withdraws_without_both_urls(endpoint):
    hookenv.config.side_effect = {"tempo-http-url": "http://t:3200", "tempo-grpc-url": ""}.get
    charm.offer_tempo_api()
    endpoint.publish.assert_not_called()
    endpoint.unpublish.assert_called_once_with()


def test_offer_tempo_api_flags_a_refused_url(endpoint):
    hookenv.config.side_effect = {"tempo-http-url": "http://t:3200", "tempo-grpc-url": "grpc://t"}.get
    endpoint.publish.side_effect = ValueError("grpc: scheme 'grpc' is not allowed")
    charm.offer_tempo_api()
    assert "author-charm.bad-tempo-config" in flags
