"""grafana_dashboard's row of the cross-layer table (``kit.layer.Layer``).

Only application databags carry data: the provider's leader writes ``dashboards``;
Grafana's leader answers with ``event``.
"""

import json

from grafana_dashboard.support import bag, template
from kit.layer import Layer


def _dashboards(title, uid, link="https://grafana.example.com/d/x"):
    return bag({f"file:{uid}": template({"title": title, "uid": uid, "version": 1,
                                         "links": [{"url": link}]})})


def _publish(endpoint, title, uid):
    """The charm adds one dashboard (the same one again: nothing changes)."""
    endpoint.add_dashboard(json.dumps({"title": title, "uid": uid}))


def _publish_other(endpoint):
    """The charm replaces its dashboards by another one."""
    endpoint.remove_non_builtin_dashboards()
    _publish(endpoint, "Demo B", "demo-b")


ROW = Layer(
    interface="grafana_dashboard", provides="grafana-dashboard", requires="dashboards",
    remote_app="workload",
    app_data=_dashboards("Workload", "workload-a"),
    other_app_data=_dashboards("Workload B", "workload-b"),
    publish=lambda e: _publish(e, "Demo", "demo-a"),
    publish_other=_publish_other,
    # what Grafana exposes, without the relation id (a relation made again has another)
    exposed=lambda e: [dict({k: v for k, v in d.items() if k != "relation_id"},
                            content=json.loads(d["content"])) for d in e.dashboards],
    app_keys=("dashboards",),
    # a dashboard that holds no URL of its own: a link with credentials, passed through
    secret_data=lambda password: _dashboards(
        "Secret", "secret", link=f"https://admin:{password}@grafana.example.com/d/x"),
    # a template whose content is not xz: the relation is unusable
    unusable_data={"dashboards": json.dumps({"templates": {"file:bad": {
        "charm": "workload", "content": "bm90IGx6bWE="}}, "uuid": "0"})},
)
