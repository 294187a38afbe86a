"""Requires side of ``grafana_dashboard``: Grafana, and the dashboards the related charms
send it."""

from charmhelpers.core import hookenv
from charms.reactive import Endpoint

from ._many_requires import ManyRequires
from .common import (
    DASHBOARDS,
    EVENT,
    Budget,
    InvalidDataError,
    decode_templates,
    deduplicate,
    encode_event,
    render_relation,
)

#: How many failed templates an ``invalid_reasons`` entry names (the rest are counted).
_NAMED_FAILURES = 5


class GrafanaDashboardRequires(ManyRequires, Endpoint):
    """Receives the dashboards of the related charms (interface ``grafana_dashboard``) and
    renders them as upstream's ``GrafanaDashboardConsumer`` does.

    Each related application's leader writes ``dashboards`` (its templates) into its
    application databag. In this endpoint's relation hooks the layer renders that
    relation's templates (a uid when the dashboard has none, the topology and datasource
    dropdowns, ``__inputs`` and datasource variables replaced, panels pointed at
    ``${prometheusds}`` / ``${lokids}``); ``dashboards`` returns every relation's, each uid
    once. It reads nothing from Juju: a hook of one relation renders that relation only.

    Remote data never makes a hook fail. Upstream's rule holds: one template that cannot
    be rendered (no ``content``, content that is not xz or not JSON, decompressing past
    ``common.MAX_CONTENT_BYTES``, the relation's data past ``common.MAX_RELATION_BYTES`` or
    ``common.MAX_JSON_VALUES`` values, a malformed ``templating``...) makes the whole
    relation unusable: its dashboards are dropped, ``invalid`` is set, ``invalid_reasons``
    names the templates, one WARNING line is logged, and this unit, when it is the leader,
    writes ``event`` with the errors into its application databag (taken out again once
    the relation renders cleanly). The other relations still come through. A
    ``dashboards`` value that is not JSON or has no ``templates`` also makes the relation
    unusable, with nothing written back.

    Every unit renders for itself (no peer relation is needed; upstream's non-leaders
    show what the leader stored in Grafana's peer relation, the same result); only the
    leader writes ``event``.

    Public flags:

    * ``{endpoint_name}.joined``: at least one remote unit is related, whatever its data.
      Set and cleared by this layer.
    * ``{endpoint_name}.available``: at least one dashboard (with a uid) came through.
      Set and cleared by this layer.
    * ``{endpoint_name}.changed``: what ``dashboards`` returns differs from what it was in
      the previous hook that read the relations (set also when dashboards first appear, and
      when they go away). Set by this layer; **cleared by the charm** once handled.
    * ``{endpoint_name}.invalid``: some relation's dashboards cannot be used;
      ``invalid_reasons`` says why. Set and cleared by this layer.
    """

    _interface = "grafana_dashboard"
    _invalid_error = InvalidDataError
    _combined_name = "dashboards"
    _empty = []

    # -- public API -----------------------------------------------------------

    @property
    def dashboards(self):
        """Every rendered dashboard, each uid once, in relation order then the bag's order:
        ``[{"id", "relation_id", "charm", "content", "dashboard_uid", "dashboard_version",
        "dashboard_title"}, ...]``.

        ``id`` is the template's KEY (``file:...``, ``prog:...``), ``relation_id`` the
        Juju relation id (``grafana-dashboard:3``), ``charm`` the sending charm's name,
        ``content`` the rendered dashboard (JSON text), ``dashboard_uid`` its uid,
        ``dashboard_version`` its ``version`` as an integer (0 when it has none or it is
        not one) and ``dashboard_title`` its title (``""`` when none). A dashboard without a
        uid is left out; of several with one uid, the highest version wins, then the
        highest relation id, then the greatest ``content``.
        """
        return [dict(d) for d in self._combined()]

    def get_dashboards_from_relation(self, relation_id):
        """The rendered dashboards of one relation (``relation_id``: ``grafana-dashboard:3``),
        before deduplication over relations; ``[]`` when it has none or is unusable."""
        entry = self._cached().get(relation_id) or {}
        return [dict(d) for d in (entry.get("value") or {}).get("dashboards", [])]

    def relation_valid(self, relation_id):
        """Whether the relation's dashboards are used: True, False (unusable: see
        ``invalid_reasons``), or None while it has sent none."""
        entry = self._cached().get(relation_id)
        if entry is None:
            return None
        if entry["reason"]:
            return False
        return None if entry["value"] is None else True

    def has_invalid_dashboards(self):
        """On the leader, whether it reported failed templates back to some relation (its
        ``event`` holds errors); always False on other units, as upstream."""
        if not hookenv.is_leader():
            return False
        return any(self._kv.get(self._key("errors." + rid))
                   for rid in self._cached())

    # -- ManyRequires ---------------------------------------------------------

    def _decode(self, relation):
        """Render one relation's templates; write ``event`` back on the leader."""
        rid = relation.relation_id
        budget = Budget()
        items = decode_templates(relation.received_app_raw.get(DASHBOARDS), budget)
        if items is None:
            hookenv.log(f"{self.endpoint_name}: no dashboards yet on relation {rid}",
                        level=hookenv.DEBUG)
            self._report(relation, [])
            return None
        dashboards, errors = render_relation(items, budget)
        self._report(relation, errors)
        if errors:
            named = ", ".join("{} ({})".format(e["dashboard_id"], e["error"])
                              for e in errors[:_NAMED_FAILURES])
            more = len(errors) - _NAMED_FAILURES
            raise InvalidDataError("templates that cannot be rendered: " + named
                                   + (f" and {more} more" if more > 0 else ""))
        for dashboard in dashboards:
            dashboard["relation_id"] = rid
        return {"dashboards": dashboards}

    def _combine(self, values):
        everything = [d for value in values if value for d in value["dashboards"]]
        for dashboard in everything:
            if not dashboard["dashboard_uid"]:
                hookenv.log("{}: dashboard {} of relation {} has no uid: left out".format(
                    self.endpoint_name, dashboard["id"], dashboard["relation_id"]),
                    level=hookenv.ERROR)
        return deduplicate(everything)

    def _refresh(self, only=None):
        super()._refresh(only=only)
        cached = self._cached()
        for rid in self._kv.getrange(self._key("errors."), strip=True):
            if rid not in cached:
                self._kv.unset(self._key("errors." + rid))

    # -- internals ------------------------------------------------------------

    def _report(self, relation, errors):
        """On the leader, write the failed templates into ``event`` (or take ``errors`` out of
        it once there are none); only a value that changes is written."""
        if not hookenv.is_leader():
            return
        rid = relation.relation_id
        bag = relation.to_publish_app_raw
        previous = bag.get(EVENT)
        wanted = encode_event(errors, previous)
        if wanted is not None and wanted != previous:
            bag[EVENT] = wanted
        key = self._key("errors." + rid)
        if errors:
            self._kv.set(key, True)
        else:
            self._kv.unset(key)



GrafanaDashboardRequires._register()
