"""Write the layer-index entry of every layer, ``interfaces/<layer name>.json``.

The entries are what https://github.com/juju/layer-index holds for each
interface layer (its README and ``schema.json``): ``id``, the name a charm's
``layer.yaml`` includes (``interface:<id>``; the layer's folder is
``interface-<id>``), ``name``, ``repo`` (the git URL charm-tools clones),
``summary`` and, because one repository holds every layer, ``subdir``, the
layer's folder in it; plus ``docs``, the layer's README. ``repo`` comes from
``publishing.yaml`` (the one place it is stated), ``summary`` from the
layer's ``interface.yaml``. ``make index`` runs this script;
``tests/crosslayer/test_publishing.py`` fails when a checked-in entry differs from what
it writes.

    python tools/layer_index.py            write every entry (and remove stale ones)
    python tools/layer_index.py --check    write nothing; exit 1 and name the stale files
"""

import glob
import json
import os
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INDEX_DIR = os.path.join(ROOT, "interfaces")
PREFIX = "interface-"


def publishing():
    """``publishing.yaml``: repo, maintainer, branch, placeholder."""
    with open(os.path.join(ROOT, "publishing.yaml")) as f:
        return yaml.safe_load(f)


def layers():
    """``{layer folder: interface.yaml}`` for every layer of this repository."""
    out = {}
    for path in sorted(glob.glob(os.path.join(ROOT, PREFIX + "*", "interface.yaml"))):
        with open(path) as f:
            out[os.path.basename(os.path.dirname(path))] = yaml.safe_load(f)
    return out


def one_line(text):
    """A YAML folded/multi-line string as the one line the index's README table needs."""
    return " ".join(str(text).split())


def entry(folder, meta, pub):
    """The layer-index entry of the layer in ``folder``, key order as the index's entries."""
    layer_id = folder[len(PREFIX):]
    repo = pub["repo"]
    web = repo[:-len(".git")] if repo.endswith(".git") else repo
    return {
        "id": layer_id,
        "name": layer_id,
        "repo": repo,
        "docs": f"{web}/blob/{pub['branch']}/{folder}/README.md",
        "subdir": folder,
        "summary": one_line(meta["summary"]),
    }


def render():
    """``{path: text}`` of every entry file."""
    pub = publishing()
    return {os.path.join(INDEX_DIR, folder[len(PREFIX):] + ".json"):
            json.dumps(entry(folder, meta, pub), indent=2) + "\n"
            for folder, meta in layers().items()}


def stale():
    """Entry files that differ from ``render()``, are missing, or have no layer."""
    wanted = render()
    out = []
    for path, text in wanted.items():
        if not os.path.exists(path) or open(path).read() != text:
            out.append(path)
    out += [p for p in glob.glob(os.path.join(INDEX_DIR, "*.json")) if p not in wanted]
    return sorted(out)


def main(argv):
    if "--check" in argv:
        bad = stale()
        for path in bad:
            print("stale:", os.path.relpath(path, ROOT))
        return 1 if bad else 0
    wanted = render()
    for path in glob.glob(os.path.join(INDEX_DIR, "*.json")):
        if path not in wanted:
            os.remove(path)
    for path, text in wanted.items():
        with open(path, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
