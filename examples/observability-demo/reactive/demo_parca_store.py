"""Example charm handlers for parca_store: how a charm author uses that layer.

The README of each layer shows the handlers of this file; the test suite
builds this charm with charm-build and runs these handlers against the
simulated Juju, so the examples cannot rot.
"""

import os

from charmhelpers.core import hookenv
from charms.reactive import clear_flag, endpoint_from_name, set_flag, when, when_not

from reactive.demo_status import report_problem, without_credentials

# --8<-- [start:parca-store-requires]
AGENT_STORE_CONFIG = "parca-agent-store.yaml"


def agent_store_config_path():
    """Where this demo keeps the agent's store settings (a real charm: the agent's config)."""
    return os.path.join(hookenv.charm_dir(), AGENT_STORE_CONFIG)


@when("profiling-store.available", "profiling-store.changed")
def send_profiles_to_store():
    """Point the profiling agent at the related store."""
    store = endpoint_from_name("profiling-store")
    # The bearer token is a secret: it goes into a file only the agent can read,
    # never into a log or status message.
    path = agent_store_config_path()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("store_address: {}\ninsecure: {}\nbearer_token: {}\n".format(
            store.address, "true" if store.insecure else "false", store.bearer_token or ""))
    hookenv.log("profiling-store: sending profiles to {} (TLS verification {}, bearer token {})"
                .format(without_credentials(store.address), "off" if store.insecure else "on",
                        "set" if store.bearer_token else "none"))
    set_flag("demo.sending-profiles")
    clear_flag("profiling-store.changed")


@when("demo.sending-profiles")
@when_not("profiling-store.available")
def stop_sending_profiles():
    """The store went away (units departed, relation broken, or its data became unusable)."""
    path = agent_store_config_path()
    if os.path.exists(path):
        os.remove(path)
    hookenv.log("profiling-store: no store; stopped sending profiles")
    clear_flag("demo.sending-profiles")
    clear_flag("profiling-store.changed")  # set when the store went away: handled here
# --8<-- [end:parca-store-requires]


# --8<-- [start:parca-store-provides]
@when("parca-store-endpoint.joined")
def publish_parca_store():
    """Tell related agents where to send profiles (every unit calls; the leader writes)."""
    config = hookenv.config()
    try:
        endpoint_from_name("parca-store-endpoint").publish(
            port=config["parca-store-port"],
            insecure=config["parca-store-insecure"],
            external_url=config["parca-store-external-url"] or None,
            bearer_token=config["parca-store-bearer-token"] or None,
        )
        report_problem("parca-store-endpoint")
    except ValueError as e:  # the message never contains the token
        report_problem("parca-store-endpoint", f"invalid parca-store config: {e}")
# --8<-- [end:parca-store-provides]
