"""Helpers of the grafana_dashboard tests: templates as a provider's leader writes them, and
what a provider published, decoded."""

import base64
import hashlib
import json
import lzma

from kit.layer import UUID

PROVIDES = "grafana-dashboard"
REQUIRES = "dashboards"


def encode(text):
    """A dashboard's text as upstream sends it: UTF-8, xz (preset 3), base64."""
    return base64.b64encode(lzma.compress(text.encode(), format=lzma.FORMAT_XZ,
                                          preset=3)).decode()


def template(dashboard, charm="workload", inject=True, alt_uid="a1b2c3d4e5f60718", raw=None):
    """One TEMPLATE for ``dashboard`` (an object, or ``raw`` text as given)."""
    text = raw if raw is not None else json.dumps(dashboard)
    topology = {"model": "cos", "model_uuid": UUID, "application": charm,
                "unit": f"{charm}/0"} if inject else {}
    return {"charm": charm, "content": encode(text), "juju_topology": topology,
            "inject_dropdowns": inject, "dashboard_alt_uid": alt_uid}


def bag(templates):
    """The application databag of a provider leader that sends ``templates``."""
    text = json.dumps(templates, sort_keys=True)
    return {"dashboards": json.dumps({"templates": templates, "uuid": hashlib.shake_128(
        text.encode()).digest(8).hex()})}


def decode(raw):
    """A ``dashboards`` value with each template's content decoded to JSON."""
    value = json.loads(raw)
    for tmpl in value["templates"].values():
        tmpl["content"] = json.loads(lzma.decompress(base64.b64decode(tmpl["content"])))
    return value


def published(unit, rid):
    """What the provider's leader wrote on ``rid``, decoded (None: nothing), after checking
    that ``dashboards`` is the only key it wrote."""
    app = unit.local_app_data(rid)
    assert set(app) <= {"dashboards"}, app
    assert unit.local_unit_data(rid) == {}
    return decode(app["dashboards"]) if "dashboards" in app else None
