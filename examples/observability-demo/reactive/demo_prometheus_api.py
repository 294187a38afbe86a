"""Example charm handlers for prometheus_api: how a charm author uses that layer.

The README of each layer shows the handlers of this file; the test suite
builds this charm with charm-build and runs these handlers against the
simulated Juju, so the examples cannot rot.
"""

from charmhelpers.core import hookenv
from charms.reactive import clear_flag, endpoint_from_name, when, when_not

from reactive.demo_status import report_problem, without_credentials


# --8<-- [start:prometheus-api-requires]
@when("metrics-api.available", "metrics-api.changed")
def use_metrics_api():
    """Point the workload at the related Prometheus-compatible API."""
    api = endpoint_from_name("metrics-api").get_data()
    hookenv.log("metrics-api: query API at {} (ingress: {})".format(
        without_credentials(api.direct_url), without_credentials(api.ingress_url) or "none"))
    clear_flag("metrics-api.changed")


@when("metrics-api.changed")
@when_not("metrics-api.available")
def stop_using_metrics_api():
    """The API went away (its last unit departed, the relation was broken, or its data is
    unusable): stop using it. ``get_data()`` is None here."""
    hookenv.log("metrics-api: no query API any more")
    clear_flag("metrics-api.changed")
# --8<-- [end:prometheus-api-requires]


# --8<-- [start:prometheus-api-provides]
@when("prometheus-api.joined")
def publish_prometheus_api():
    """Tell related charms where this unit's API is (every unit calls; the leader writes)."""
    direct = hookenv.config("prometheus-direct-url")
    if not direct:  # not offered (any more): withdraw what was published, if anything
        endpoint_from_name("prometheus-api").unpublish()
        return
    ingress = hookenv.config("prometheus-ingress-url") or None
    try:
        endpoint_from_name("prometheus-api").publish(direct, ingress_url=ingress)
        report_problem("prometheus-api")
    except ValueError as e:
        report_problem("prometheus-api", f"invalid prometheus URL config: {e}")
# --8<-- [end:prometheus-api-provides]
