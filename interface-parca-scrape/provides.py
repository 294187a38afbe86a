"""Provides side of ``parca_scrape``: a profiling target that Parca scrapes."""

from charmhelpers.core import hookenv
from charms.reactive import Endpoint, toggle_flag

from ._lifecycle import after_hooks
from ._scrape import clear_keys, hook_relations, write_changed
from ._state import LayerState
from .common import (
    APP_KEYS,
    UNIT_KEYS,
    app_databag,
    check_unit_address,
    encode_jobs,
    sanitise_jobs,
    unit_databag,
)

#: Hooks after which the leader re-checks every relation's application data (and, after
#: upgrade-charm, every unit its own unit data).
RESYNC_HOOKS = ("leader-elected", "upgrade-charm")
#: The hook Juju fires when the unit's addresses change (it refreshes the unit's
#: ``ingress-address`` on every relation first; update-status cannot change them, so it
#: reads nothing): every unit that publishes that address re-checks it.
ADDRESS_HOOK = "config-changed"


class ParcaScrapeProvides(LayerState, Endpoint):
    """Offers this charm's pprof endpoints to Parca (interface ``parca_scrape``).

    Call ``update_scrape_job_spec(jobs)`` from any handler, on every unit:
    the layer remembers the jobs, and the leader writes them, with the Juju
    topology of this application (``scrape_metadata``), to the application
    databag of every relation, including relations that join later and after
    leadership moves. Every unit, whether or not the charm calls anything,
    writes where it can be scraped (``parca_scrape_unit_address``) and its
    name (``parca_scrape_unit_name``) to its own databag.

    The address is the unit's ingress address on each relation (what Juju
    puts in the unit's databag there: reachable by the related application),
    unless the charm sets another with ``set_unit_address``. It is checked
    again in this endpoint's relation hooks, in upgrade-charm and in
    config-changed (which Juju fires when the unit's addresses change; one
    read of the unit's own databag per relation, none after
    ``set_unit_address``); update-status costs nothing. Unchanged data is
    never written again.

    ``unpublish()`` withdraws all of it: the leader removes the jobs and the
    topology from every relation, every unit removes its address and name
    from its own databag and forgets the request, so neither a new leader
    nor a later relation hook publishes it again, until
    ``update_scrape_job_spec`` is called again.

    Public flags:

    * ``{endpoint_name}.joined``: at least one remote unit is related.
      Set and cleared by this layer; cleared when the last relation goes.
    """

    # -- public API -----------------------------------------------------------

    def update_scrape_job_spec(self, jobs=None):
        """Publish ``jobs`` (a list in Parca's ``scrape_config`` subset) to every related Parca.

        ``None`` or ``[]`` is the default job, ``*:80``. Each job keeps only
        ``job_name``, ``static_configs``, ``scrape_interval``,
        ``scrape_timeout``, ``scheme``, ``profiling_config`` and
        ``tls_config``, written as upstream writes them: ``static_configs``
        first, then the others in the order the job gives them. A job without
        ``static_configs`` (or with ``None``) scrapes ``*:80``. A target is
        ``host:port`` (that host only) or ``*:port`` (every unit of this
        application, at its published address). Anything else, or a value
        JSON cannot carry exactly (``NaN``, a ``set``, keys that are one
        once written), raises ``ValueError`` naming the job. Safe to call in
        every hook: the same jobs again write nothing.
        """
        wanted = sanitise_jobs(jobs)
        if encode_jobs(self._kv.get(self._key("jobs"))) == encode_jobs(wanted) and not self._retracted:
            return
        self._kv.set(self._key("jobs"), wanted)
        if self._retracted:
            self._kv.unset(self._key("retracted"))
            self._sync_units(self.relations)
        self._sync_app(self.relations)

    def unpublish(self):
        """Withdraw what was published: the leader removes the jobs and topology from
        every relation, this unit its address and name from its own databags, and the
        jobs and address given are forgotten (call it on every unit, as
        ``update_scrape_job_spec``). Calling it again writes nothing."""
        if self._retracted:
            return
        self._kv.unset(self._key("jobs"))
        self._kv.unset(self._key("address"))
        self._kv.set(self._key("retracted"), True)
        self._clear(self.relations)

    def set_unit_address(self, address=None):
        """Have Parca scrape this unit at ``address`` (a host name or IP, no port).

        ``None`` goes back to the default, the unit's ingress address on each
        relation. Per unit: every unit that wants another address calls it.
        """
        address = check_unit_address(address) if address is not None else None
        if self._kv.get(self._key("address")) == address:
            return
        self._kv.set(self._key("address"), address)
        if not self._retracted:
            self._sync_units(self.relations)

    @property
    def unit_address(self):
        """The address given to ``set_unit_address``, or None: the unit's ingress address
        on each relation is published."""
        return self._kv.get(self._key("address"))

    @property
    def scrape_jobs(self):
        """The jobs as published (sanitised) since ``update_scrape_job_spec``, or None."""
        return self._kv.get(self._key("jobs"))

    # -- framework hooks ------------------------------------------------------

    def manage_flags(self):
        """Keep ``joined`` current; in this endpoint's relation hooks, update that relation."""
        toggle_flag(self.expand_name("{endpoint_name}.joined"), self.is_joined)
        relations = hook_relations(self, hookenv.hook_name())
        if relations is not None and not self._retracted:
            self._sync_units(relations)
            self._sync_app(relations)

    # -- internals ------------------------------------------------------------

    @property
    def _retracted(self):
        return bool(self._kv.get(self._key("retracted")))

    def _clear(self, relations):
        """Remove this unit's keys from ``relations`` and, on the leader, the application's."""
        clear_keys(relations, UNIT_KEYS, APP_KEYS)

    def _resync(self, hook):
        """A new leader or a new version of the charm writes what was asked for; a unit
        whose address may have changed publishes it again (in config-changed: one
        ``relation-get`` of the unit's own databag per relation unless the charm set the
        address, and a ``relation-set`` only if the address changed)."""
        if self._retracted:
            if hook in RESYNC_HOOKS:
                self._clear(self.relations)
            return
        if hook == "upgrade-charm" or (hook == ADDRESS_HOOK and self.unit_address is None):
            self._sync_units(self.relations)
        if hook in RESYNC_HOOKS:
            self._sync_app(self.relations)

    _interface = "parca_scrape"

    def _sync_app(self, relations):
        """On the leader, write the remembered jobs and this model's topology, changed keys only."""
        jobs = self._kv.get(self._key("jobs"))
        if jobs is None or not relations or not hookenv.is_leader():
            return
        wanted = app_databag(jobs, {
            "model": hookenv.model_name(),
            "model_uuid": hookenv.model_uuid(),
            "application": hookenv.application_name(),
            "unit": hookenv.local_unit(),
            "charm_name": hookenv.charm_name(),
        })
        for relation in relations:
            write_changed(relation.to_publish_app_raw, wanted, APP_KEYS)

    def _sync_units(self, relations):
        """Write this unit's address and name to its databag on ``relations``, changed keys only."""
        override = self._kv.get(self._key("address"))
        for relation in relations:
            bag = relation.to_publish_raw
            address = override or bag.get("ingress-address") or bag.get("private-address")
            write_changed(bag, unit_databag(address, hookenv.local_unit()), UNIT_KEYS)


after_hooks(RESYNC_HOOKS + (ADDRESS_HOOK,), "provides", "parca_scrape", ParcaScrapeProvides, "_resync")
