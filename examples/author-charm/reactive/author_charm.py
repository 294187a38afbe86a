"""Handlers of author-charm: a charm that uses four of the interface layers.

Everything the charm learns from its relations goes into one file,
``$CHARM_DIR/author-charm.json`` (``render()``), which stands in for the
application's own configuration. The unit status is set by ``set_status()``
after every hook.
"""

import json
import os

from charmhelpers.core import hookenv
from charms.reactive import clear_flag, endpoint_from_name, is_flag_set, set_flag, when

PPROF_PORTS = (6060, 6061)
CONFIG_FILE = "author-charm.json"


def config_path():
    return os.path.join(hookenv.charm_dir(), CONFIG_FILE)


def read_config():
    """What the application is configured with now ({} before the first render)."""
    try:
        with open(config_path()) as f:
            return json.load(f)
    except FileNotFoundError:
        return {}


def render(**changes):
    """Update the application's configuration file (written only when it changes).

    The file holds the store's bearer token, so only its owner may read it.
    """
    config = read_config()
    new = dict(config, **changes)
    if new == config and os.path.exists(config_path()):
        return
    fd = os.open(config_path(), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(new, f, indent=1, sort_keys=True)


# -- parca_scrape, provides: Parca scrapes this application on two ports -----

@when("profiling.joined")
def offer_pprof_endpoints():
    """One scrape job, both ports, on every unit (the leader writes it; every unit its address)."""
    endpoint_from_name("profiling").update_scrape_job_spec([{
        "job_name": "author-charm",
        "static_configs": [{"targets": [f"*:{port}" for port in PPROF_PORTS]}],
    }])


# -- prometheus_api, requires: where to query metrics --------------------------

@when("metrics.changed")
def configure_metrics_api():
    """Point the application at the related API, or at none: ``.changed`` is also set when
    the API goes away (last unit departed, relation broken, data unusable), and then
    ``get_data()`` is None."""
    api = endpoint_from_name("metrics").get_data()
    render(prometheus_url=api.direct_url if api else None)
    clear_flag("metrics.changed")


# -- parca_store, requires: where the profiling agent sends profiles ----------

@when("profile-store.changed")
def configure_profile_store():
    """Point the profiling agent at the related store, or stop it when the store went away."""
    store = endpoint_from_name("profile-store")
    render(profile_store={"address": store.address, "insecure": store.insecure,
                          "bearer_token": store.bearer_token} if store.get_data() else None)
    clear_flag("profile-store.changed")


# -- tempo_api, provides: this application's Tempo-compatible query API -------

@when("tempo-api.joined")
def offer_tempo_api():
    """Publish the configured URLs (every unit may call; only the leader writes); withdraw
    them when the config stops offering the API."""
    http, grpc = hookenv.config("tempo-http-url"), hookenv.config("tempo-grpc-url")
    endpoint = endpoint_from_name("tempo-api")
    clear_flag("author-charm.bad-tempo-config")
    if not (http and grpc):
        endpoint.unpublish()
        return
    try:
        endpoint.publish(http, grpc)
    except ValueError as e:
        hookenv.log(f"tempo-api: not offered: {e}", level=hookenv.WARNING)
        set_flag("author-charm.bad-tempo-config")


# -- status -------------------------------------------------------------------

def set_status():
    """One status from the flags, after all handlers ran."""
    if is_flag_set("author-charm.bad-tempo-config"):
        hookenv.status_set("blocked", "invalid tempo-http-url or tempo-grpc-url")
    elif is_flag_set("metrics.invalid"):
        hookenv.status_set("blocked", "metrics: " + endpoint_from_name("metrics").invalid_reason)
    elif is_flag_set("profile-store.invalid"):
        hookenv.status_set("blocked", "profile-store: " + endpoint_from_name("profile-store").invalid_reason)
    elif is_flag_set("metrics.available"):
        hookenv.status_set("active", "ready")
    elif is_flag_set("metrics.joined"):
        hookenv.status_set("waiting", "metrics: related, waiting for data")
    else:
        hookenv.status_set("blocked", "needs a metrics relation")


hookenv.atexit(set_status)
