"""Handlers written against openstack-charmers' ``interface:prometheus-scrape`` layer, the way
ovn-central uses it (the test copies this file, unchanged, into a charm's ``reactive/``)."""

from charms import reactive


@reactive.when('metrics-endpoint.available')
def handle_metrics_endpoint():
    metrics_endpoint = reactive.endpoint_from_flag('metrics-endpoint.available')
    metrics_endpoint.expose_job(
        'ovn-exporter', static_configs=[{"targets": ["*:9476"]}])


@reactive.when('metrics-endpoint.exposed.ovn-exporter')
@reactive.when_not('metrics-endpoint.connected')
def forget_metrics_endpoint():
    reactive.clear_flag('metrics-endpoint.exposed.ovn-exporter')
