"""Example charm handlers for grafana_dashboard: how a charm author uses that layer.

The README of each layer shows the handlers of this file; the test suite
builds this charm with charm-build and runs these handlers against the
simulated Juju, so the examples cannot rot.
"""

# --8<-- [start:cos-grafana-dashboard-imports]
import os

from charmhelpers.core import hookenv
from charms.reactive import clear_flag, endpoint_from_name, when, when_not

from reactive.demo_status import report_problem

# --8<-- [end:cos-grafana-dashboard-imports]


# --8<-- [start:cos-grafana-dashboard-provides]
@when("grafana-dashboard.joined")
def publish_dashboards():
    """Send the charm's dashboards (src/grafana_dashboards/) to Grafana. Every unit calls it;
    the leader writes, and only what changed: a hook in which no file changed costs a stat
    per file."""
    endpoint_from_name("grafana-dashboard").publish()


@when("grafana-dashboard.rejected")
def report_rejected_dashboards():
    """Grafana could not render some dashboards: say which, in the unit status."""
    validation = endpoint_from_name("grafana-dashboard").validation
    failed = ", ".join(str(e.get("dashboard_id")) for e in validation["errors"]
                       if isinstance(e, dict))
    report_problem("grafana-dashboard", f"Grafana rejected dashboards: {failed}")


@when_not("grafana-dashboard.rejected")
def forget_rejected_dashboards():
    """Grafana rendered everything (or is gone): no problem to report."""
    report_problem("grafana-dashboard")
# --8<-- [end:cos-grafana-dashboard-provides]


# --8<-- [start:cos-grafana-dashboard-requires]
def provisioned_dashboards_dir():
    """Where this demo provisions dashboards (a real Grafana charm: its provisioning folder)."""
    return os.path.join(hookenv.charm_dir(), "provisioned-dashboards")


@when("dashboards.changed")
def provision_dashboards():
    """Write every related charm's rendered dashboard as ``<uid>.json``; remove the others."""
    folder = provisioned_dashboards_dir()
    os.makedirs(folder, exist_ok=True)
    wanted = {}
    for dashboard in endpoint_from_name("dashboards").dashboards:
        name = "".join(c if c.isalnum() or c in "-_" else "_"
                       for c in str(dashboard["dashboard_uid"])) + ".json"
        wanted[name] = dashboard["content"]
    for name in os.listdir(folder):
        if name not in wanted:
            os.remove(os.path.join(folder, name))
    for name, content in wanted.items():
        with open(os.path.join(folder, name), "w") as f:
            f.write(content)
    hookenv.log(f"dashboards: {len(wanted)} dashboards provisioned")
    clear_flag("dashboards.changed")
# --8<-- [end:cos-grafana-dashboard-requires]
