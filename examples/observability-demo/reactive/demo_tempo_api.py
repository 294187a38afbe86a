"""Example charm handlers for tempo_api: how a charm author uses that layer.

The README of each layer shows the handlers of this file; the test suite
builds this charm with charm-build and runs these handlers against the
simulated Juju, so the examples cannot rot.
"""

# --8<-- [start:tempo-api-imports]
from charmhelpers.core import hookenv
from charms.reactive import clear_flag, endpoint_from_name, when, when_not

from reactive.demo_status import report_problem, without_credentials

# --8<-- [end:tempo-api-imports]


# --8<-- [start:tempo-api-requires]
@when("traces-api.available", "traces-api.changed")
def use_traces_api():
    """Point the workload at the related Tempo-compatible query API."""
    api = endpoint_from_name("traces-api").get_data()
    hookenv.log("traces-api: Tempo HTTP API at {} (ingress: {}), gRPC at {} (ingress: {})".format(
        without_credentials(api.http.direct_url), without_credentials(api.http.ingress_url) or "none",
        without_credentials(api.grpc.direct_url), without_credentials(api.grpc.ingress_url) or "none"))
    clear_flag("traces-api.changed")


@when("traces-api.changed")
@when_not("traces-api.available")
def stop_using_traces_api():
    """The API went away (its last unit departed, the relation was broken, or its data is
    unusable): stop using it. ``get_data()`` is None here."""
    hookenv.log("traces-api: no Tempo API any more")
    clear_flag("traces-api.changed")
# --8<-- [end:tempo-api-requires]


# --8<-- [start:tempo-api-provides]
@when("tempo-api.joined")
def publish_tempo_api():
    """Tell related charms where this unit's Tempo API is (every unit calls; the leader writes)."""
    http = hookenv.config("tempo-direct-url-http")
    grpc = hookenv.config("tempo-direct-url-grpc")
    if not http or not grpc:  # not offered (any more): withdraw what was published
        endpoint_from_name("tempo-api").unpublish()
        return
    try:
        endpoint_from_name("tempo-api").publish(
            http, grpc,
            ingress_url_http=hookenv.config("tempo-ingress-url-http") or None,
            ingress_url_grpc=hookenv.config("tempo-ingress-url-grpc") or None)
        report_problem("tempo-api")
    except ValueError as e:
        report_problem("tempo-api", f"invalid tempo URL config: {e}")
# --8<-- [end:tempo-api-provides]
