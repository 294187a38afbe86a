"""Example charm handlers for profiling: how a charm author uses that layer.

The README of each layer shows the handlers of this file; the test suite
builds this charm with charm-build and runs these handlers against the
simulated Juju, so the examples cannot rot.
"""

# --8<-- [start:profiling-imports]
import os

from charmhelpers.core import hookenv
from charms.reactive import clear_flag, endpoint_from_name, when

from reactive.demo_status import report_problem, without_credentials

# --8<-- [end:profiling-imports]


# --8<-- [start:profiling-requires]
PROFILES_EXPORTER_CONFIG = "profiles-exporter.yaml"


def profiles_exporter_config_path():
    """Where this demo keeps its exporter's targets (a real charm: its workload's config)."""
    return os.path.join(hookenv.charm_dir(), PROFILES_EXPORTER_CONFIG)


@when("send-profiles.changed")
def send_profiles_to_backends():
    """Point the profile exporter at every related backend, or stop when none is left."""
    endpoints = endpoint_from_name("send-profiles").get_endpoints()
    path = profiles_exporter_config_path()
    if endpoints:
        with open(path, "w") as f:
            f.write("otlp_grpc_exporters:\n")
            for endpoint in endpoints:
                f.write("  - endpoint: {}\n    insecure: {}\n".format(
                    endpoint.otlp_grpc, "true" if endpoint.insecure else "false"))
        hookenv.log("send-profiles: sending profiles to {}".format(", ".join(
            without_credentials(e.otlp_grpc) for e in endpoints)))
    elif os.path.exists(path):
        os.remove(path)
        hookenv.log("send-profiles: no profiling backend; stopped sending profiles")
    clear_flag("send-profiles.changed")
# --8<-- [end:profiling-requires]


# --8<-- [start:profiling-provides]
@when("receive-profiles.joined")
def publish_profiling_endpoint():
    """Tell related charms where to push profiles (every unit calls; the leader writes)."""
    endpoint = endpoint_from_name("receive-profiles")
    address = hookenv.config("profiling-otlp-grpc-endpoint")
    if not address:
        endpoint.unpublish()  # nothing configured (any more): take a published address back
        report_problem("receive-profiles")
        return
    try:
        endpoint.publish_endpoint(address, insecure=hookenv.config("profiling-insecure"))
        report_problem("receive-profiles")
    except ValueError as e:
        report_problem("receive-profiles", f"invalid profiling config: {e}")
# --8<-- [end:profiling-provides]
