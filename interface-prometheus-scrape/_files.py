# Vendored from layerlib/_files.py by `make vendor`: do not edit; edit the source.
"""The files a charm ships for a layer to publish (alert rules, dashboards): which ones, in
what order, and whether any of them changed since they were last read.

Shared by the layers that read files the charm names: cos_agent (rules and
dashboards), prometheus_scrape (rules) and grafana_dashboard (dashboards).

* ``list_files(root, recursive, accept)``: the files of a directory (or the one
  file ``root`` names), sorted by their path components below ``root``;
* ``snapshot(roots, previous)`` and ``contents_changed(old, new)``: a cheap test
  of whether any file under some directories changed. A stat per file (size,
  modification time in ns); a file's content (SHA-256) is read only when its stat
  differs from ``previous``, so a file touched but not changed counts as unchanged.
  A file rewritten with the same size within one mtime tick is not noticed.
"""

import hashlib
import os
from pathlib import PurePath


def has_suffix(name, suffixes):
    """Whether the file ``name``'s last suffix, as pathlib sees it, is one of ``suffixes``
    (``.rules`` alone has none; ``a.b.rules`` has ``.rules``)."""
    return PurePath(name).suffix in suffixes


def stem(name):
    """The file ``name`` without its last suffix, as pathlib sees it (``a.b.rules``: ``a.b``;
    ``x.json.tmpl``: ``x.json``)."""
    return PurePath(name).stem


def list_files(root, recursive=False, accept=None):
    """The files at ``root``: ``[root]`` when it is a file (whatever its name), else the files
    directly in it (below it too when ``recursive``) whose name ``accept(name)`` accepts
    (all when ``accept`` is None), sorted by their path components below ``root``; ``[]``
    when ``root`` does not exist."""
    if os.path.isfile(root):
        return [root]
    if not os.path.isdir(root):
        return []
    if recursive:
        found = [os.path.join(dirpath, name)
                 for dirpath, _, filenames in os.walk(root) for name in filenames]
    else:
        found = [os.path.join(root, name) for name in os.listdir(root)]
    found = [p for p in found
             if (accept is None or accept(os.path.basename(p))) and os.path.isfile(p)]
    return sorted(found, key=lambda p: os.path.relpath(p, root).split(os.sep))


def _digest(path):
    try:
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()
    except OSError:
        return None


def snapshot(roots, previous=None):
    """``[[path, size, mtime_ns, sha256], ...]`` of every file under ``roots`` (``[(path,
    recursive), ...]``, as ``list_files`` lists them), JSON-able so it can be kept.

    A file whose size and modification time are those in ``previous`` (an
    earlier snapshot) keeps its recorded digest without being read; entries of
    another shape in ``previous`` (an older layer's) are ignored.
    """
    known = {entry[0]: entry for entry in previous or ()}
    out = []
    for root, recursive in roots:
        for path in list_files(root, recursive):
            try:
                stat = os.stat(path)
            except OSError:
                continue
            old = known.get(path)
            if (isinstance(old, list) and len(old) == 4 and old[1] == stat.st_size
                    and old[2] == stat.st_mtime_ns):
                digest = old[3]
            else:
                digest = _digest(path)
            out.append([path, stat.st_size, stat.st_mtime_ns, digest])
    return out


def contents_changed(old, new):
    """Whether two snapshots differ in what the files hold: a file added, removed or with
    other content (a stat alone that differs is no change)."""
    def contents(snap):
        return [(e[0], e[3] if len(e) == 4 else None) for e in snap or ()]

    return contents(old) != contents(new)
