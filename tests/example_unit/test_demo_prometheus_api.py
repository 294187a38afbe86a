"""The example charm's prometheus_api handlers, with charms.reactive mocked."""

from unittest.mock import MagicMock

import pytest
from charmhelpers.core import hookenv, unitdata
from charms import reactive
from charms.unit_test import flags

from reactive import demo_prometheus_api as demo


@pytest.fixture
def endpoint():
    ep = MagicMock(name="endpoint")
    reactive.endpoint_from_name.return_value = ep
    return ep


def test_use_metrics_api_reports_the_url_and_clears_changed(endpoint):
    endpoint.get_data.return_value = MagicMock(direct_url="http://mimir/", ingress_url=None)
    flags.add("metrics-api.changed")
    demo.use_metrics_api()
    reactive.endpoint_from_name.assert_called_with("metrics-api")
    hookenv.status_set.assert_not_called()  # demo_status sets the status at hook end
    assert "metrics-api.changed" not in flags


def test_publish_withdraws_what_was_published_without_config(endpoint):
    hookenv.config.side_effect = {"prometheus-direct-url": "", "prometheus-ingress-url": ""}.get
    demo.publish_prometheus_api()
    endpoint.publish.assert_not_called()
    endpoint.unpublish.assert_called_once_with()


def test_departure_handler_stops_using_the_api_and_clears_changed(endpoint):
    flags.add("metrics-api.changed")
    demo.stop_using_metrics_api()
    assert "metrics-api.changed" not in flags
    endpoint.get_data.assert_not_called()


def test_publish_passes_config_urls(endpoint):
    hookenv.config.side_effect = {"prometheus-direct-url": "http://demo:9090/",
                                  "prometheus-ingress-url": ""}.get
    demo.publish_prometheus_api()
    endpoint.publish.assert_called_once_with("http://demo:9090/", ingress_url=None)
    assert not unitdata.kv().getrange("demo.problem.")


def test_publish_blocks_on_invalid_config(endpoint):
    hookenv.config.side_effect = {"prometheus-direct-url": "ftp://x/",
                                  "prometheus-ingress-url": ""}.get
    endpoint.publish.side_effect = ValueError("direct_url: scheme 'ftp' is not allowed")
    demo.publish_prometheus_api()
    assert unitdata.kv().getrange("demo.problem.", strip=True) == {
        "prometheus-api": "invalid prometheus URL config: direct_url: scheme 'ftp' is not allowed"}
