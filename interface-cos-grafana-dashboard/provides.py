"""Provides side of ``grafana_dashboard``: a charm that sends its Grafana dashboards to
Grafana."""

import hashlib
import os
import time

from charmhelpers.core import hookenv
from charms.reactive import Endpoint, toggle_flag

from ._leader_sync import LeaderAppPublisher
from ._topology import Topology
from .common import (
    DASHBOARDS,
    DEFAULT_DASHBOARDS_PATH,
    EVENT,
    InvalidDataError,
    check_content,
    check_path,
    compress,
    dashboard_files,
    decode_event,
    encode_dashboards,
    file_dashboard,
    file_key,
    juju_topology,
    prog_key,
    template,
)

#: Hooks after which the layer reads the dashboard files again and the leader re-writes
#: every relation (upstream: leader-elected, upgrade-charm, config-changed).
RESYNC_HOOKS = ("leader-elected", "upgrade-charm", "config-changed")
#: A file modified less than this long before it was read may change again within the
#: file system's timestamp granularity without its size or mtime changing: it is read
#: again (its content compared) the next time.
RACY_NS = 2 * 10**9


class GrafanaDashboardProvides(LeaderAppPublisher, Endpoint):
    """Sends this charm's dashboards to Grafana (interface ``grafana_dashboard``), as
    upstream's ``GrafanaDashboardProvider`` does.

    Call ``publish()`` (any handler, every unit): the dashboard files below
    ``dashboards_path`` (``.json``, ``.json.tmpl``, ``.tmpl``, recursively) become
    templates, each with a uid (unless it has a 40-hex-digit one), the tag
    ``charm: <charm name>``, this unit's Juju topology and an alternative uid.
    ``add_dashboard(content)`` adds a dashboard given as text, ``remove_non_builtin_dashboards()``
    drops those again, ``reload_dashboards()`` reads the files again and ``unpublish()``
    withdraws everything. The leader writes ``dashboards`` into every relation's application
    databag, only when the templates differ from what is there; every unit keeps them, so a
    new leader writes them without the charm calling again. The files are read again in
    relation-created, leader-elected, upgrade-charm (every file) and config-changed, and
    whenever ``publish()`` is called: a file is read only when its size or modification time
    changed (then compressed only when its content changed), so a handler may render a file and
    publish in the same hook, and a hook in which nothing changed reads and writes nothing.

    Grafana answers in its application databag with ``event``: ``validation`` is what it
    reported (``valid``, ``errors``, ``error_message``), read by the leader.

    Public flags:

    * ``{endpoint_name}.joined``: at least one Grafana unit is related. Set and cleared by
      this layer.
    * ``{endpoint_name}.rejected``: Grafana reported that some templates cannot be rendered
      (``validation`` says which). Set by this layer (leader); cleared by this layer when
      Grafana reports no errors (or its ``event`` is empty again), or its relation goes away.
    """

    _interface = "grafana_dashboard"
    _keys = (DASHBOARDS,)

    # -- public API -----------------------------------------------------------

    def publish(self, dashboards_path=DEFAULT_DASHBOARDS_PATH):
        """Publish the dashboard files below ``dashboards_path`` (relative to the charm
        directory) to every related Grafana, with the topology dropdowns.

        A directory that does not exist has no dashboards (a WARNING line); a file that
        is not a JSON object, or whose ``tags`` is not a list of strings, is skipped with
        an ERROR line. Raises ``ValueError`` when ``dashboards_path`` is not a relative
        path. Calling it again reads only the files that changed.
        """
        check_path(dashboards_path)
        request = self._request()
        inject = request["inject"] if request.get("path") == dashboards_path else True
        self._update(dict(request, path=dashboards_path, inject=inject))

    def add_dashboard(self, content, inject_dropdowns=True):
        """Add the dashboard ``content`` (its JSON text, sent as given: not parsed, no uid or
        tag added) under the KEY ``prog:...``; Grafana adds the topology dropdowns unless
        ``inject_dropdowns`` is False. ``ValueError`` when ``content`` is not a string.
        The same content again costs nothing (it is compressed once)."""
        check_content(content, inject_dropdowns)
        digest = hashlib.sha256(content.encode("utf-8")).hexdigest()
        request = self._request()
        prog = dict(request["prog"])
        known = next((entry for entry in prog.values() if entry["digest"] == digest), None)
        encoded = known["content"] if known else compress(content)
        key = prog_key(encoded)
        prog[key] = {"content": encoded, "inject": inject_dropdowns, "digest": digest}
        self._update(dict(request, prog=prog))

    def remove_non_builtin_dashboards(self):
        """Drop every dashboard ``add_dashboard`` added (the file dashboards stay)."""
        self._update(dict(self._request(), prog={}))

    def reload_dashboards(self, inject_dropdowns=True):
        """Read every dashboard file again (the directory of the last ``publish()``, by
        default ``src/grafana_dashboards``) and publish them with or without the topology
        dropdowns; the choice is kept for the automatic re-reads."""
        if not isinstance(inject_dropdowns, bool):
            raise ValueError("inject_dropdowns must be True or False")
        request = self._request()
        self._update(dict(request, path=request.get("path") or DEFAULT_DASHBOARDS_PATH,
                          inject=inject_dropdowns), force=True)

    def unpublish(self):
        """Withdraw every dashboard: the leader removes ``dashboards`` from every relation, and
        every unit forgets its templates, so a later leader does not publish them again."""
        super().unpublish()

    @property
    def templates(self):
        """The templates this unit would publish (``{KEY: TEMPLATE}``, ``content`` encoded)."""
        return self._templates(self._request(), self._kv.get(self._key("files")) or {})

    @property
    def validation(self):
        """What Grafana last reported in ``event`` (the first relation, by id, that reported):
        ``{"valid", "errors", "error_message"}``, or None when it reported nothing."""
        kept = self._validations()
        return kept[min(kept, key=_relation_number)] if kept else None

    # -- framework hooks ------------------------------------------------------

    def manage_flags(self):
        """Keep the flags current; read the files again in relation-created; on the leader,
        read Grafana's ``event`` in relation-changed."""
        hook = hookenv.hook_name()
        prefix = self.endpoint_name + "-relation-"
        if hook.startswith(prefix):
            rid = hookenv.relation_id()
            if hook.endswith("-created"):
                self._reread()
            elif hook.endswith("-changed") and hookenv.is_leader():
                self._read_event(rid)
            elif hook.endswith(("-departed", "-broken")) and not any(
                    r.relation_id == rid and r.joined_units for r in self.relations):
                self._kv.unset(self._key("validation." + rid))
        super().manage_flags()
        rids = {r.relation_id for r in self.relations}
        toggle_flag(self.expand_name("{endpoint_name}.rejected"), any(
            status["errors"] or not status["valid"]
            for rid, status in self._validations().items() if rid in rids))

    # -- internals ------------------------------------------------------------

    def _request(self):
        """What the charm asked for: ``{"path", "inject", "prog"}`` (path None: no files)."""
        return self._kv.get(self._key("request")) or {"path": None, "inject": True, "prog": {}}

    def _forget(self):
        self._kv.unset(self._key("request"))
        self._kv.unset(self._key("files"))

    def _resync(self, hook):
        """After ``RESYNC_HOOKS``: read the files again; a new leader or a new revision also
        re-checks every relation, config-changed writes only what the files changed."""
        if not self._kv.get(self._retracted_key):
            self._reread(force=hook == "upgrade-charm")
        if hook != "config-changed":
            super()._resync(hook)

    def _reread(self, force=False):
        """Read the files again (those that changed; every one with ``force``: a new charm
        revision) and publish what changed."""
        request = self._kv.get(self._key("request"))
        if request is not None:
            self._update(request, force=force)

    def _update(self, request, force=False):
        """Keep ``request``, read the files that changed, and publish the templates (nothing
        to do when neither the request nor any file changed)."""
        files, changed = self._scan(request, force)
        if (not changed and request == self._kv.get(self._key("request"))
                and self._kv.get(self._published_key) is not None):
            return
        self._kv.set(self._key("request"), request)
        self._remember({DASHBOARDS: encode_dashboards(self._templates(request, files))})

    def _scan(self, request, force):
        """The file cache brought up to date, and whether it changed: ``{path relative to the
        charm directory: entry}``. A file is read only when its size or mtime changed, or it
        was modified just before it was last read."""
        cache = self._kv.get(self._key("files")) or {}
        fresh = {}
        if request.get("path"):
            charm_dir = hookenv.charm_dir()
            root = os.path.join(charm_dir, request["path"])
            names = dashboard_files(root)
            if names is None:
                hookenv.log(f"{self.endpoint_name}: no dashboards: {root} is not a directory",
                            level=hookenv.WARNING)
                names = []
            charm_name = hookenv.charm_name()
            for name in names:
                rel_path = os.path.normpath(os.path.join(request["path"], name))
                entry = self._file_entry(os.path.join(root, name), rel_path, charm_name,
                                         cache.get(rel_path), force)
                if entry is not None:
                    fresh[rel_path] = entry
        changed = fresh != cache
        if changed:
            self._kv.set(self._key("files"), fresh)
        return fresh, changed

    def _file_entry(self, path, rel_path, charm_name, old, force=False):
        """One file's cache entry: ``{"size", "mtime", "racy", "digest", "content"}``
        (``content`` encoded, None when the file is skipped); None when it is gone. With
        ``force`` the file is read whatever its stat says (and compressed only when its
        content changed)."""
        try:
            stat = os.stat(path)
        except OSError:
            return None
        if (old and not force and not old["racy"] and old["size"] == stat.st_size
                and old["mtime"] == stat.st_mtime_ns and old["charm"] == charm_name):
            return old
        read_at = time.time_ns()
        try:
            with open(path, "rb") as f:
                raw = f.read()
        except OSError as e:
            hookenv.log(f"{self.endpoint_name}: cannot read dashboard {rel_path}: {e}",
                        level=hookenv.ERROR)
            return None
        entry = {"size": stat.st_size, "mtime": stat.st_mtime_ns, "charm": charm_name,
                 "racy": read_at - stat.st_mtime_ns < RACY_NS,
                 "digest": hashlib.sha256(raw).hexdigest()}
        if old and old["digest"] == entry["digest"] and old["charm"] == charm_name:
            return dict(entry, content=old["content"])
        try:
            entry["content"] = compress(file_dashboard(raw, charm_name, rel_path))
        except ValueError as e:
            hookenv.log(f"{self.endpoint_name}: dashboard {rel_path} skipped: {e}",
                        level=hookenv.ERROR)
            entry["content"] = None
        return entry

    def _templates(self, request, files):
        """``{KEY: TEMPLATE}``: the files in path order (of two with one KEY, the last), then
        the programmatic dashboards in the order they were added."""
        charm_name = hookenv.charm_name()
        here = juju_topology(Topology(hookenv.model_name(), hookenv.model_uuid(),
                                      hookenv.application_name(), charm_name,
                                      unit=hookenv.local_unit()))
        out = {}
        for name in sorted(files):
            if files[name]["content"] is not None:
                key = file_key(os.path.basename(name))
                out[key] = template(charm_name, key, files[name]["content"], here,
                                    request["inject"])
        for key, entry in request["prog"].items():
            out[key] = template(charm_name, key, entry["content"], here, entry["inject"])
        return out

    def _wanted(self, relation):
        """What ``relation`` should hold: the templates; with none, nothing, unless it holds
        earlier ones (then an empty set of templates replaces them)."""
        wanted = dict(super()._wanted(relation))
        if wanted.get(DASHBOARDS) is None and relation.to_publish_app_raw.get(DASHBOARDS):
            wanted[DASHBOARDS] = encode_dashboards({}, empty=True)
        return wanted

    def _read_event(self, rid):
        """Keep what Grafana reported on relation ``rid`` (``event``; missing or ``{}``: nothing
        to report any more); a value that is not a JSON object is ignored with a WARNING
        line."""
        relation = next((r for r in self.relations if r.relation_id == rid), None)
        if relation is None:
            return
        raw = relation.received_app_raw.get(EVENT)
        key = self._key("validation." + rid)
        try:
            status = decode_event(raw)
        except InvalidDataError as e:
            hookenv.log(f"{self.endpoint_name}: relation {rid}: ignoring Grafana's {EVENT}: {e}",
                        level=hookenv.WARNING)
            return
        if status is None:  # nothing reported, or Grafana took its errors back ({})
            self._kv.unset(key)
        else:
            self._kv.set(key, status)

    def _validations(self):
        return self._kv.getrange(self._key("validation."), strip=True)


def _relation_number(rid):
    _, _, number = rid.rpartition(":")
    return (int(number), rid) if number.isascii() and number.isdigit() else (-1, rid)


GrafanaDashboardProvides._register(hooks=RESYNC_HOOKS)
