"""Example charm handlers for tempo_api: how a charm author uses that layer.

The README of each layer shows the handlers of this file; the test suite
builds this charm with charm-build and runs these handlers against the
simulated Juju, so the examples cannot rot.
"""

# --8<-- [start:tempo-api-imports]
from charmhelpers.core import hookenv
from charms.reactive import clear_flag, endpoint_from_name, when, when_not

# --8<-- [end:tempo-api-imports]


# --8<-- [start:tempo-api-requires]
@when("traces-api.available", "traces-api.changed")
def use_traces_api():
    """Point the workload at the related Tempo-compatible query API."""
    api = endpoint_from_name("traces-api").get_data()
    hookenv.log("traces-api: Tempo HTTP API at {} (ingress: {}), gRPC at {} (ingress: {})".format(
        api.http.direct_url, api.http.ingress_url or "none",
        api.grpc.direct_url, api.grpc.ingress_url or "none"))
    hookenv.status_set("active", f"querying traces at {api.http.direct_url}")
    clear_flag("traces-api.changed")


@when("traces-api.invalid")
def report_unusable_traces_api():
    """The related application sent data this charm cannot use."""
    reason = endpoint_from_name("traces-api").invalid_reason
    hookenv.status_set("blocked", f"traces-api: {reason}")


@when_not("traces-api.available")
@when_not("traces-api.invalid")
def wait_for_traces_api():
    hookenv.status_set("waiting", "waiting for a Tempo-compatible API on traces-api")
# --8<-- [end:tempo-api-requires]


# --8<-- [start:tempo-api-provides]
@when("tempo-api.joined")
def publish_tempo_api():
    """Tell related charms where this unit's Tempo API is (every unit calls; the leader writes)."""
    http = hookenv.config("tempo-direct-url-http")
    grpc = hookenv.config("tempo-direct-url-grpc")
    if not http or not grpc:
        return
    try:
        endpoint_from_name("tempo-api").publish(
            http, grpc,
            ingress_url_http=hookenv.config("tempo-ingress-url-http") or None,
            ingress_url_grpc=hookenv.config("tempo-ingress-url-grpc") or None)
    except ValueError as e:
        hookenv.status_set("blocked", f"invalid tempo URL config: {e}")
# --8<-- [end:tempo-api-provides]
