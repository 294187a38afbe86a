"""Example charm handlers for prometheus_api: how a charm author uses that layer.

The README of each layer shows the handlers of this file; the test suite
builds this charm with charm-build and runs these handlers against the
simulated Juju, so the examples cannot rot.
"""

from charmhelpers.core import hookenv
from charms.reactive import clear_flag, endpoint_from_name, when, when_not


# --8<-- [start:prometheus-api-requires]
@when("metrics-api.available", "metrics-api.changed")
def use_metrics_api():
    """Point the workload at the related Prometheus-compatible API."""
    api = endpoint_from_name("metrics-api").get_data()
    hookenv.log("metrics-api: query API at {} (ingress: {})".format(
        api.direct_url, api.ingress_url or "none"))
    hookenv.status_set("active", f"querying {api.direct_url}")
    clear_flag("metrics-api.changed")


@when("metrics-api.invalid")
def report_unusable_metrics_api():
    """The related application sent data this charm cannot use."""
    reason = endpoint_from_name("metrics-api").invalid_reason
    hookenv.status_set("blocked", f"metrics-api: {reason}")


@when_not("metrics-api.available")
@when_not("metrics-api.invalid")
def wait_for_metrics_api():
    hookenv.status_set("waiting", "waiting for a Prometheus-compatible API on metrics-api")
# --8<-- [end:prometheus-api-requires]


# --8<-- [start:prometheus-api-provides]
@when("prometheus-api.joined")
def publish_prometheus_api():
    """Tell related charms where this unit's API is (every unit calls; the leader writes)."""
    direct = hookenv.config("prometheus-direct-url")
    if not direct:
        return
    ingress = hookenv.config("prometheus-ingress-url") or None
    try:
        endpoint_from_name("prometheus-api").publish(direct, ingress_url=ingress)
    except ValueError as e:
        hookenv.status_set("blocked", f"invalid prometheus URL config: {e}")
# --8<-- [end:prometheus-api-provides]
