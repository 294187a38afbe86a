"""Provides side of ``prometheus_scrape``: a scrape target that Prometheus scrapes."""

import os
import socket

from charmhelpers.core import hookenv
from charms.reactive import Endpoint, clear_flag, is_flag_set, set_flag, toggle_flag

from ._errors import InvalidDataError
from ._files import contents_changed, snapshot
from ._jsondata import encoding
from ._lifecycle import after_hooks
from ._scrape import clear_keys, hook_relations, write_changed
from ._state import LayerState
from ._topology import Topology
from .common import (
    APP_KEYS,
    DEFAULT_ALERT_RULES_PATH,
    DEFAULT_METRICS_PATH,
    DEFAULT_STATIC_CONFIGS,
    EVENT,
    UNIT_KEYS,
    alert_rules,
    app_keys,
    decode_event,
    external_address,
    is_rejected,
    sanitise_job,
    sanitise_jobs,
    unit_keys,
)

#: Hooks after which the leader re-writes every relation's application data and every unit
#: its own unit data (a new leader, a new version of the charm and its rule files).
RESYNC_HOOKS = ("leader-elected", "upgrade-charm")
#: The hook Juju fires when the unit's addresses change: every unit re-writes its unit keys.
ADDRESS_HOOK = "config-changed"


class PrometheusScrapeProvides(LayerState, Endpoint):
    """Offers this charm's metrics endpoints and alert rules to Prometheus (interface
    ``prometheus_scrape``), as upstream's ``MetricsEndpointProvider`` does.

    Call ``publish(jobs, alert_rules_path, forward_alert_rules, external_url)``
    from any handler, on every unit: the layer remembers the request, and the
    leader writes ``scrape_metadata`` (this application's topology),
    ``scrape_jobs`` and ``alert_rules`` (the rule files below
    ``alert_rules_path``, read again when one changed, plus the generic
    ``HostHealth`` group) to every relation, including relations that join
    later, after leadership moves and after upgrade-charm. Every unit writes
    where it can be scraped: its address on the relation (and its fqdn), or
    the host and path of ``external_url``. Unchanged data is never written
    again.

    The API of openstack-charmers' ``interface:prometheus-scrape`` works
    unchanged: ``expose_job(job_name, metrics_path, static_configs)`` adds
    (or replaces) the job of that name, ``clear_job(job_name)`` removes that
    job only; the exposed jobs are published after those given to
    ``publish``, with the default rules path.

    ``unpublish()`` withdraws all of it: the leader removes the application
    keys from every relation, every unit its unit keys, and the request and
    exposed jobs are forgotten, so neither a new leader nor a later relation
    hook publishes them again, until ``publish`` or ``expose_job`` is called.

    ``validation`` is what Prometheus reported back (its ``event``; it writes
    errors only when it validates with cos-tool).

    Public flags:

    * ``{endpoint_name}.joined``: at least one remote unit is related. Set and
      cleared by this layer.
    * ``{endpoint_name}.rejected``: the leader read, from some relation, that
      Prometheus refused the alert rules or scrape jobs (``validation`` says
      what). Set and cleared by this layer.
    * ``{endpoint_name}.connected``: the old layer's name of ``joined``. Set and
      cleared by this layer.
    * ``{endpoint_name}.available``: a remote unit has changed its data since it
      joined (the old layer's flag). Set by this layer; cleared when the last
      relation goes.
    * ``{endpoint_name}.exposed.<job_name>``: ``expose_job`` published that job.
      Set by ``expose_job``; cleared by ``clear_job`` and ``unpublish``.
    """

    # -- public API -----------------------------------------------------------

    def publish(self, jobs=None, alert_rules_path=DEFAULT_ALERT_RULES_PATH,
                forward_alert_rules=True, external_url=None):
        """Publish ``jobs`` (Prometheus ``scrape_config`` objects) and the alert rules below
        ``alert_rules_path`` to every related Prometheus.

        ``None`` or ``[]`` (and no job given to ``expose_job``) is the default
        job, ``*:80``. Each job keeps only the keys upstream keeps
        (``job_name``, ``metrics_path``, ``static_configs``, ``scrape_interval``,
        ``scrape_timeout``, ``proxy_url``, ``relabel_configs``,
        ``metric_relabel_configs``, the four limits, ``sample_limit``,
        ``scheme``, ``basic_auth``, ``tls_config``, ``authorization``,
        ``params``), written ``metrics_path`` first (``/metrics`` by default),
        ``static_configs`` second (``*:80`` by default). A target ``*:PORT``
        means every unit at its address. ``alert_rules_path`` is relative to
        the charm directory; every ``.rule``, ``.rules``, ``.yml`` and ``.yaml``
        file below it is read (both rule file formats); ``forward_alert_rules=False``
        publishes ``{}``. ``external_url`` (``scheme://host[:port]/path``; without
        a scheme ``http://`` is assumed) makes every unit publish that host and
        path instead of its own address. Bad arguments raise ``ValueError``
        and publish nothing. Safe to call in every hook: the same request
        again writes nothing, unless a rule file changed.
        """
        wanted = {
            "jobs": sanitise_jobs(jobs),
            "alert_rules_path": self._check_path(alert_rules_path),
            "forward_alert_rules": bool(forward_alert_rules),
            "external": list(external_address(external_url)) if external_url is not None
            else None,
        }
        if self._unchanged(wanted):
            return
        self._kv.set(self._key("request"), wanted)
        self._kv.unset(self._key("retracted"))
        self._sync(self.relations)

    def unpublish(self):
        """Withdraw what was published (on every unit, as ``publish``): the leader removes
        the application keys from every relation, this unit its unit keys, and the
        request and exposed jobs are forgotten. Calling it again writes nothing."""
        if self._retracted:
            return
        for job_name in self._exposed():
            clear_flag(self.expand_name("{endpoint_name}.exposed." + job_name))
        self._kv.unset(self._key("request"))
        self._kv.unset(self._key("exposed"))
        self._kv.unset(self._key("rules"))
        self._kv.set(self._key("retracted"), True)
        self._clear(self.relations)

    def expose_job(self, job_name="", metrics_path=DEFAULT_METRICS_PATH, static_configs=None):
        """The old layer's call: publish one job named ``job_name`` (replacing the job of that
        name, if any; other jobs stay), scraping ``metrics_path`` at ``static_configs``
        (``*:80`` when empty), and set ``{endpoint_name}.exposed.<job_name>``."""
        job = sanitise_job(0, {"job_name": job_name, "metrics_path": metrics_path,
                               "static_configs": static_configs or list(DEFAULT_STATIC_CONFIGS)})
        exposed = self._exposed()
        if not self._retracted and job_name in exposed and encoding(exposed[job_name]) == encoding(
                job) and self._rules_unchanged(self._request()):
            set_flag(self.expand_name("{endpoint_name}.exposed." + job_name))
            return
        exposed[job_name] = job
        self._kv.set(self._key("exposed"), exposed)
        self._kv.unset(self._key("retracted"))
        self._sync(self.relations)
        set_flag(self.expand_name("{endpoint_name}.exposed." + job_name))

    def clear_job(self, job_name):
        """The old layer's call: stop publishing the job ``expose_job`` published as
        ``job_name`` (the others stay) and clear ``{endpoint_name}.exposed.<job_name>``."""
        exposed = self._exposed()
        if exposed.pop(job_name, None) is not None:
            self._kv.set(self._key("exposed"), exposed)
            self._sync(self.relations)
        clear_flag(self.expand_name("{endpoint_name}.exposed." + job_name))

    @property
    def scrape_jobs(self):
        """The jobs as published (sanitised, the exposed ones last), or None when nothing
        is published."""
        request = self._request()
        return None if request is None else self._jobs(request)

    @property
    def validation(self):
        """What Prometheus reported back, on the leader: ``{relation_id: {"valid": bool,
        "errors": str, "scrape_job_errors": str}}`` for each relation whose ``event``
        reports something (``errors``: the alert rules it refused; ``scrape_job_errors``:
        the invalid jobs). An ``event`` that is not a JSON object is left out (logged)."""
        if not hookenv.is_leader():
            return {}
        out = {}
        for relation in self.relations:
            report = self._report(relation)
            if report:
                out[relation.relation_id] = report
        return out

    # -- framework hooks ------------------------------------------------------

    def manage_flags(self):
        """Keep the flags current; in this endpoint's relation hooks, update that relation and
        read Prometheus' ``event`` from it."""
        joined = self.is_joined
        toggle_flag(self.expand_name("{endpoint_name}.joined"), joined)
        toggle_flag(self.expand_name("{endpoint_name}.connected"), joined)
        if not joined:
            clear_flag(self.expand_name("{endpoint_name}.available"))
        elif is_flag_set(self.expand_name("endpoint.{endpoint_name}.changed")):
            set_flag(self.expand_name("{endpoint_name}.available"))
        hook = hookenv.hook_name()
        relations = hook_relations(self, hook)
        if relations is not None:
            if not self._retracted:
                self._sync(relations)
            if hook.endswith("-changed"):
                self._read_reports(relations)
        self._reports_flag()

    # -- internals ------------------------------------------------------------

    _interface = "prometheus_scrape"

    @property
    def _retracted(self):
        return bool(self._kv.get(self._key("retracted")))

    def _exposed(self):
        return dict(self._kv.get(self._key("exposed")) or {})

    def _request(self):
        """The remembered request, the default one when only ``expose_job`` was called,
        None when nothing is to be published."""
        request = self._kv.get(self._key("request"))
        if request is None and self._exposed():
            request = {"jobs": [], "alert_rules_path": DEFAULT_ALERT_RULES_PATH,
                       "forward_alert_rules": True, "external": None}
        return request

    def _jobs(self, request):
        return list(request["jobs"]) + list(self._exposed().values())

    def _unchanged(self, wanted):
        """Whether ``wanted`` is the request already published and no rule file changed (then
        nothing needs writing: a stat per rule file, no relation data read)."""
        stored = self._kv.get(self._key("request"))
        if self._retracted or stored is None or encoding(stored) != encoding(wanted):
            return False
        return self._rules_unchanged(stored)

    def _rules_unchanged(self, request):
        """Whether the alert rules of ``request`` are those last published (non-leaders publish
        none: unchanged)."""
        if request is None or not hookenv.is_leader():
            return True
        cached = (self._kv.get(self._key("rules")) or {}).get("text")
        return cached is not None and self._alert_rules(request, self._topology()) == cached

    @staticmethod
    def _check_path(path):
        if not isinstance(path, str) or not path:
            raise ValueError(f"alert_rules_path: expected a path, got {path!r}")
        return path

    def _topology(self):
        return Topology(hookenv.model_name(), hookenv.model_uuid(),
                        hookenv.application_name(), charm_name=hookenv.charm_name())

    def _alert_rules(self, request, topology):
        """``alert_rules`` as published: read again only when the request, the topology or
        a file below the rules path changed (a stat per file otherwise)."""
        path = request["alert_rules_path"]
        if not os.path.isabs(path):
            path = os.path.join(hookenv.charm_dir(), path)
        key = [path, request["forward_alert_rules"], topology.identifier, topology.charm_name]
        cached = self._kv.get(self._key("rules")) or {}
        files = snapshot([(path, True)], cached.get("snapshot")) if request[
            "forward_alert_rules"] else []
        if cached.get("key") == key and not contents_changed(cached.get("snapshot"), files):
            if files != cached.get("snapshot"):
                self._kv.set(self._key("rules"), dict(cached, snapshot=files))
            return cached["text"]
        text = alert_rules(path, request["forward_alert_rules"], topology, lambda message: hookenv.log(
            f"{self.endpoint_name}: {message}", level=hookenv.WARNING))
        self._kv.set(self._key("rules"), {"key": key, "snapshot": files, "text": text})
        return text

    def _sync(self, relations):
        """Write this unit's keys and, on the leader, the application's, changed keys only."""
        if not relations:
            return
        request = self._request()
        self._sync_units(relations, request)
        if request is None or not hookenv.is_leader():
            return
        topology = self._topology()
        wanted = app_keys(self._jobs(request), {
            "model": topology.model, "model_uuid": topology.model_uuid,
            "application": topology.application, "unit": hookenv.local_unit(),
            "charm_name": topology.charm_name}, self._alert_rules(request, topology))
        for relation in relations:
            write_changed(relation.to_publish_app_raw, wanted, APP_KEYS)

    def _sync_units(self, relations, request):
        """Write this unit's keys (its address on each relation), changed keys only."""
        external = request["external"] if request else None
        fqdn = socket.getfqdn()
        for relation in relations:
            bag = relation.to_publish_raw
            write_changed(bag, unit_keys(hookenv.local_unit(), bag.get("ingress-address"),
                                         fqdn, external), UNIT_KEYS)

    def _clear(self, relations):
        clear_keys(relations, UNIT_KEYS, APP_KEYS)

    def _report(self, relation):
        """The decoded ``event`` of ``relation``, or None (nothing, or not usable: logged once
        in a hook, however often the layer and the charm ask)."""
        raw = relation.received_app_raw.get(EVENT)
        decoded = self.__dict__.setdefault("_decoded_events", {})
        key = (relation.relation_id, raw)
        if key not in decoded:
            try:
                decoded[key] = decode_event(raw)
            except InvalidDataError as e:
                hookenv.log(f"{self.endpoint_name}: relation {relation.relation_id}: {e}; ignored",
                            level=hookenv.WARNING)
                decoded[key] = None
        report = decoded[key]
        return dict(report) if report else report

    def _read_reports(self, relations):
        """On the leader, keep whether each of ``relations`` reports refused rules or jobs."""
        if not hookenv.is_leader():
            return
        for relation in relations:
            key = self._key("rejected." + relation.relation_id)
            if is_rejected(self._report(relation)):
                self._kv.set(key, True)
            else:
                self._kv.unset(key)

    def _reports_flag(self):
        rids = {r.relation_id for r in self.relations}
        stored = self._kv.getrange(self._key("rejected."), strip=True)
        for rid in set(stored) - rids:
            self._kv.unset(self._key("rejected." + rid))
        # is-leader only where a report is kept: a hook without one asks Juju nothing
        toggle_flag(self.expand_name("{endpoint_name}.rejected"),
                    any(rid in rids for rid in stored) and hookenv.is_leader())

    def _resync(self, hook):
        """A new leader, a new version of the charm (and its rule files) or new addresses:
        write what was asked for again, changed keys only."""
        if self._retracted:
            if hook in RESYNC_HOOKS:
                self._clear(self.relations)
            return
        if hook == ADDRESS_HOOK:
            # only the unit keys hold an address; an external URL gives none to re-check
            request = self._request()
            if request is not None and request["external"] is None:
                self._sync_units(self.relations, request)
            return
        if hook == "leader-elected":
            self._read_reports(self.relations)
        self._sync(self.relations)


after_hooks(RESYNC_HOOKS + (ADDRESS_HOOK,), "provides", "prometheus_scrape",
            PrometheusScrapeProvides, "_resync")
