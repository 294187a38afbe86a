"""Requires side of ``cos_agent``: the machine telemetry collector (a subordinate) and what
the workload charms it is related to ask it to collect."""

import hashlib
import socket

from charmhelpers.core import hookenv
from charms.reactive import Endpoint

from ._lifecycle import after_hooks
from ._many_requires import ManyRequires
from .collector import PeerHooks, combine, combine_peer_entries, decode_dashboard, principal_data
from .common import (
    CONFIG,
    PEER_KEY_PREFIX,
    RECEIVERS,
    Budget,
    InvalidDataError,
    decode_config,
    decode_peer_entry,
    encode_peer_entry,
    encode_receivers,
    peer_key,
    receivers,
)


class CosAgentRequires(ManyRequires, Endpoint):
    """Collects what the related principals publish (interface ``cos_agent``), as
    opentelemetry-collector and grafana-agent do.

    Each relation (``scope: container``) has one principal unit, whose
    ``config`` the layer reads and checks. The properties have upstream
    ``COSAgentRequirer``'s names: ``metrics_jobs`` (with Juju topology
    labels), ``metrics_alerts`` and ``logs_alerts`` (per principal
    application), ``dashboards`` (decoded), ``snap_log_endpoints`` and
    ``requested_tracing_protocols()``. They read nothing from Juju: the layer
    reads a relation in its hooks and keeps the result, so a hook of one
    relation re-reads that relation only.

    Remote data never makes a hook fail. A ``config`` that is rejected as a
    whole (not JSON, a required field missing or mistyped, or two principal
    units on one relation) leaves that relation out, sets ``invalid``,
    ``invalid_reasons`` says why per relation, and one WARNING line names the
    relation and the key; the other relations still come through. A bad item
    inside a usable ``config`` (a log slot that is not ``snap:slot``, a
    dashboard that does not decode, a static config that is not an object, a
    tracing protocol this collector does not serve) is skipped, with one
    WARNING line.

    With a peer endpoint (``peer_relation_name``, default ``peers``, declared under
    ``peers:`` in the charm's metadata), the collector shares its principals' rules
    and dashboards with the other collector units, as upstream does: it writes
    ``config-{principal unit}`` into its peer unit databag (emptied, not removed,
    when that principal departs), and ``metrics_alerts``, ``logs_alerts`` and
    ``dashboards`` are those of every collector unit (this unit's entries first);
    ``metrics_jobs``, ``snap_log_endpoints`` and the tracing protocols stay this
    unit's. Without a peer endpoint they are this unit's principals' (upstream
    gives nothing).

    Once some principal has sent a usable ``config``, the layer writes
    ``receivers`` into this unit's databag on every relation: a URL for each
    tracing protocol any principal asked for, from the settings of the last
    ``update_tracing_receivers()`` call (by default: this machine's FQDN, plain
    http, ready), and again whenever the protocols asked for change.

    Public flags:

    * ``{endpoint_name}.joined``: at least one principal unit is related,
      whatever its data. Set and cleared by this layer.
    * ``{endpoint_name}.available``: at least one principal sent a usable
      ``config``. Set and cleared by this layer.
    * ``{endpoint_name}.changed``: what the properties return differs from
      what it was in the previous hook that read the relations (set also when
      data first appears, and when it goes away). Set by this layer;
      **cleared by the charm** once handled.
    * ``{endpoint_name}.invalid``: at least one principal sent a ``config``
      that cannot be used; ``invalid_reasons`` says why. Set and cleared by
      this layer.
    """

    _interface = "cos_agent"
    _invalid_error = InvalidDataError
    _keep_combined = False

    # -- public API -----------------------------------------------------------

    @property
    def metrics_jobs(self):
        """Every principal's scrape jobs, in relation order then each principal's order: each
        static config labelled ``juju_model``, ``juju_model_uuid``, ``juju_application`` and
        ``juju_unit`` (the principal unit); a job in the pre-0.5 shape (``job_name``,
        ``path``, ``port``) as a ``localhost`` job."""
        return self._field("metrics_jobs", [])

    @property
    def metrics_alerts(self):
        """``{identifier: rules}``: each principal application's Prometheus alert rules
        (``{"groups": [...]}``), keyed ``{model}_{model_uuid[:8]}_{application}``; with a
        peer relation, those of the principals of every collector unit."""
        peers = self._peer_view()
        return peers["metrics_alerts"] if peers is not None else self._field("metrics_alerts", {})

    @property
    def logs_alerts(self):
        """``{identifier: rules}``: each principal application's Loki alert rules; with a peer
        relation, those of the principals of every collector unit."""
        peers = self._peer_view()
        return peers["logs_alerts"] if peers is not None else self._field("logs_alerts", {})

    @property
    def dashboards(self):
        """The principals' Grafana dashboards, decoded: ``[{"relation_id", "charm", "title",
        "content"}]``; ``charm`` is ``{endpoint_name}-{application}``, ``title`` the
        dashboard's (or its ``dashboard.title``), else ``no_title_N``.

        With a peer relation, the dashboards of the principals of every collector unit
        (``relation_id`` as the entry's collector unit has it). The layer keeps the
        dashboards as the principals sent them (compressed) and decodes them when this is
        first read in a hook; later reads in that hook return the same list.
        """
        peers = self._peer_view()
        if peers is not None:
            return peers["dashboards"]
        if "_dashboards_memo" not in self.__dict__:
            strings, out = {}, []
            for entry in self._field("dashboards", []):
                rid = entry["relation_id"]
                if rid not in strings:
                    strings[rid] = self._kv.get(self._key("dashboards." + rid)) or []
                try:
                    content = decode_dashboard(strings[rid][entry["index"]])
                except (IndexError, ValueError):  # checked when the relation was read
                    continue
                out.append({"relation_id": rid, "charm": entry["charm"],
                            "title": entry["title"], "content": content})
            self.__dict__["_dashboards_memo"] = out
        return self.__dict__["_dashboards_memo"]

    @property
    def snap_log_endpoints(self):
        """The snap slots to read logs from: ``[{"owner", "name", "application", "unit"}]``
        (``owner:name`` as the principal wrote it, with that principal's application and
        unit), in relation order; duplicates kept."""
        return self._field("log_slots", [])

    @property
    def principals(self):
        """The principal units whose ``config`` is in use: ``[{"relation_id", "application",
        "unit"}]``, in relation order."""
        return self._field("principals", [])

    def requested_tracing_protocols(self):
        """The tracing protocols any principal asked for that this collector serves, sorted."""
        return self._field("tracing_protocols", [])

    def update_tracing_receivers(self, fqdn=None, tls=False, ready=True):
        """Tell the principals where to send traces, on every relation.

        ``fqdn`` is this machine's name as the principals reach it (default
        ``socket.getfqdn()``: a subordinate shares its principal's machine);
        ``tls`` makes http receivers ``https://``; ``ready=False`` (the
        collector cannot forward traces yet) writes each receiver with a null
        URL. The settings are kept and used whenever the protocols asked for
        change. ``receivers`` is written only once some principal has sent a
        usable ``config``, and only where it changed. Raises ``ValueError`` on
        arguments of the wrong type.
        """
        if fqdn is not None and (not isinstance(fqdn, str) or not fqdn.strip()):
            raise ValueError(f"fqdn: expected a host name, got {fqdn!r}")
        for name, value in (("tls", tls), ("ready", ready)):
            if not isinstance(value, bool):
                raise ValueError(f"{name}: expected True or False, got {value!r}")
        self._kv.set(self._settings_key, {"fqdn": fqdn, "tls": tls, "ready": ready})
        self._sync_receivers()

    # -- internals ------------------------------------------------------------

    @property
    def _settings_key(self):
        # Not under _key(""): the mixin forgets that prefix when the last relation goes,
        # and the collector's own settings outlive its relations.
        return f"interface.cos_agent.receiver-settings.{self.endpoint_name}"

    def _field(self, name, empty):
        combined = self._combined()
        return combined[name] if combined else empty

    def _decode(self, relation):
        """What one relation's principal unit contributes (``principal_data`` plus
        ``relation_id``), None when it has sent nothing yet."""
        self._kv.unset(self._key("dashboards." + relation.relation_id))
        units = relation.joined_units
        if len(units) > 1:
            names = ", ".join(sorted(u.unit_name for u in units))
            raise InvalidDataError(f"{len(units)} principal units ({names}) on one relation; a "
                                   "container-scoped relation has one")
        unit = units[0]
        budget = Budget()
        config = decode_config(unit.received_raw.get(CONFIG), budget)
        if config is None:
            return None
        application = unit.unit_name.split("/")[0]
        try:
            data = principal_data(config, application, unit.unit_name, hookenv.model_name(),
                                  hookenv.model_uuid(), budget)
        except RecursionError:
            raise InvalidDataError(f"{CONFIG} is nested too deeply") from None
        data["relation_id"] = relation.relation_id
        self._write_peer_entry(unit.unit_name, relation.relation_id, encode_peer_entry(
            unit.unit_name, relation.relation_id, self.endpoint_name,
            config["metrics_alert_rules"], config["log_alert_rules"], config["dashboards"]))
        strings = data.pop("dashboard_strings")
        if strings:
            self._kv.set(self._key("dashboards." + relation.relation_id), strings)
        else:
            self._kv.unset(self._key("dashboards." + relation.relation_id))
        previous = (self._kv.get(self._key("relation." + relation.relation_id)) or {}
                    ).get("value") or {}
        for note in data["notes"]:
            if note not in previous.get("notes", ()):
                hookenv.log(f"{self.endpoint_name}: relation {relation.relation_id} "
                            f"({unit.unit_name}): {CONFIG}: {note}", level=hookenv.WARNING)
        return data

    def _combine(self, values):
        principals = [v for v in values if v is not None]
        if not principals:
            return None
        combined = combine(principals, self.endpoint_name, hookenv.model_name(),
                           hookenv.model_uuid())
        combined["peers"] = self._peer_digest()
        return combined

    #: The collector charm's peer endpoint (upstream's ``peer_relation_name``). Set it on the
    #: class, before the first hook runs the layer, to use another name; None: no peers.
    peer_relation_name = "peers"

    def _peer_ids(self):
        """The peer relation ids, or ``[]`` when the charm declares no such peer endpoint."""
        name = self.peer_relation_name
        if not name or name not in (hookenv.metadata().get("peers") or {}):
            return []
        return hookenv.relation_ids(name) or []

    def _peer_bags(self):
        """``[(unit, raw databag)]`` of the peer relation: this unit's first, then each peer
        unit's in unit-number order; None without a peer relation. Read once per hook."""
        if "_peer_bags_memo" not in self.__dict__:
            rids, bags = self._peer_ids(), None
            if rids:
                me, bags = hookenv.local_unit(), []
                for rid in rids:
                    bags.append((me, hookenv.relation_get(rid=rid, unit=me) or {}))
                    units = sorted(hookenv.related_units(rid),
                                   key=lambda u: (int(u.rpartition("/")[2]), u))
                    bags.extend((u, hookenv.relation_get(rid=rid, unit=u) or {}) for u in units)
            self.__dict__["_peer_bags_memo"] = bags
        return self.__dict__["_peer_bags_memo"]

    def _peer_view(self):
        """``metrics_alerts``, ``logs_alerts`` and ``dashboards`` from the peer databags
        (``combine_peer_entries``), or None without a peer relation (then this unit's own
        principals are used: a documented deviation, upstream gives nothing)."""
        if "_peer_view_memo" not in self.__dict__:
            bags, view = self._peer_bags(), None
            if bags is not None:
                entries = []
                for unit, bag in bags:
                    for key, raw in bag.items():
                        if not key.startswith(PEER_KEY_PREFIX) or not raw:
                            continue
                        try:
                            entries.append(decode_peer_entry(raw))
                        except InvalidDataError as e:
                            hookenv.log(f"{self.endpoint_name}: peer {unit}, {key}: {e}; "
                                        "skipped", level=hookenv.WARNING)
                view = combine_peer_entries(entries, hookenv.model_name(), hookenv.model_uuid())
            self.__dict__["_peer_view_memo"] = view
        return self.__dict__["_peer_view_memo"]

    def _peer_digest(self):
        """A digest of every peer entry read (None without a peer relation): part of the
        combined result, so ``changed`` follows the other collector units' data."""
        bags = self._peer_bags()
        if bags is None:
            return None
        digest = hashlib.sha256()
        for unit, bag in bags:
            for key, raw in bag.items():
                if key.startswith(PEER_KEY_PREFIX):
                    digest.update(f"{unit}\0{key}\0{raw}\0".encode("utf-8", "replace"))
        return digest.hexdigest()

    @property
    def _peer_state_key(self):
        # Not under _key(""): entries outlive the cos-agent relations (upstream keeps the key).
        return f"interface.cos_agent.peer-entries.{self.endpoint_name}."

    def _write_peer_entry(self, principal_unit, relation_id, entry, emptied=False):
        """Write ``entry`` (encoded) as this unit's peer key for ``principal_unit`` (of
        cos-agent relation ``relation_id``) on every peer relation, where it differs from
        what the layer last wrote there."""
        rids = self._peer_ids()
        if not rids:
            return
        key = self._peer_state_key + principal_unit
        digest = hashlib.sha256(entry.encode("utf-8")).hexdigest()
        if (self._kv.get(key) or {}).get("digest") != digest:
            for rid in rids:
                hookenv.relation_set(rid, {peer_key(principal_unit): entry})
            self.__dict__.pop("_peer_bags_memo", None)
            self.__dict__.pop("_peer_view_memo", None)
        self._kv.set(key, {"digest": digest, "relation_id": relation_id, "emptied": emptied})

    def _empty_departed_peer_entries(self):
        """Rewrite the peer entry of each principal unit no longer related with empty rules
        and dashboards (as upstream does on relation-departed; the key stays)."""
        related = {u.unit_name for r in self.relations for u in r.joined_units}
        kept = self._kv.getrange(self._peer_state_key, strip=True)
        for unit, state in kept.items():
            if unit not in related and not state.get("emptied"):
                rid = state.get("relation_id") or ""
                self._write_peer_entry(unit, rid, encode_peer_entry(
                    unit, rid, self.endpoint_name, {}, {}, []), emptied=True)

    def _peer_hook(self, hook):
        """In the peer relation's hooks: a new peer relation gets this unit's entries (every
        relation read again); otherwise the combined result and flags follow the peers."""
        for name in ("_peer_bags_memo", "_peer_view_memo"):
            self.__dict__.pop(name, None)
        if hook.endswith(("-relation-created", "-relation-joined")):
            self._refresh()
        else:
            self._refresh(only="")

    def _forget_relation(self, relation_id):
        super()._forget_relation(relation_id)
        self._kv.unset(self._key("dashboards." + relation_id))

    def _refresh(self, only=None):
        self.__dict__.pop("_dashboards_memo", None)
        self._empty_departed_peer_entries()
        super()._refresh(only)
        self._sync_receivers()

    def _sync_receivers(self):
        """Write ``receivers`` on every relation with a principal where it differs from what
        was written there, once some principal has sent a usable ``config``."""
        related = [r for r in self.relations if r.joined_units]
        for rid in set(self._kv.getrange(self._key("receivers."), strip=True)) - {
                r.relation_id for r in related}:
            self._kv.unset(self._key("receivers." + rid))
        combined = self._combined()
        if not combined:
            return
        settings = self._kv.get(self._settings_key) or {}
        wanted = encode_receivers(receivers(
            combined["tracing_protocols"], settings.get("fqdn") or socket.getfqdn(),
            tls=settings.get("tls", False), ready=settings.get("ready", True)))
        for relation in related:
            key = self._key("receivers." + relation.relation_id)
            if self._kv.get(key) == wanted:
                continue
            bag = relation.to_publish_raw
            if bag.get(RECEIVERS) != wanted:
                bag[RECEIVERS] = wanted
            self._kv.set(key, wanted)


CosAgentRequires._register()
after_hooks(PeerHooks(lambda: CosAgentRequires.peer_relation_name), "requires", "cos_agent",
            CosAgentRequires, "_peer_hook")
