"""``make vendor``: copy the shared modules of ``layerlib/`` into every layer that uses them.

A layer uses a shared module ``_name`` when one of its own modules imports it
(``from ._name import ...``); a shared module may use another the same way,
and the layer then gets that one too. Each copy is the source, byte for byte,
after one first line that names the source and says not to edit the copy.
Copies that no module of the layer needs any more are removed.

``python tools/vendor.py --check`` changes nothing and exits 1, listing what
differs, when any layer's vendored set is stale (tests/crosslayer runs the
same check).
"""

import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IMPORT_RE = re.compile(r"^from \.(_\w+) import ", re.M)


def header(name):
    """The first line of the vendored copy of ``layerlib/<name>.py``."""
    return f"# Vendored from layerlib/{name}.py by `make vendor`: do not edit; edit the source.\n"


def shared_modules(root=ROOT):
    """``{name: source text}`` of every shared module (``layerlib/_*.py`` of ``root``)."""
    out = {}
    source = os.path.join(root, "layerlib")
    for entry in sorted(os.listdir(source)):
        if entry.startswith("_") and entry.endswith(".py") and entry != "__init__.py":
            with open(os.path.join(source, entry), encoding="utf-8", newline="") as f:
                out[entry[:-3]] = f.read()
    return out


def layer_dirs(root=ROOT):
    """Every ``interface-*/`` directory of the repository that has an ``interface.yaml``."""
    return [os.path.join(root, e) for e in sorted(os.listdir(root))
            if e.startswith("interface-") and os.path.exists(os.path.join(root, e, "interface.yaml"))]


def is_vendored(path):
    """Whether ``path`` is a vendored copy (its first line is a vendoring header)."""
    with open(path, encoding="utf-8") as f:
        return f.readline().startswith("# Vendored from layerlib/")


def needed(layer, shared):
    """The shared modules ``layer`` needs: those its own modules import, and theirs."""
    own = []
    for entry in sorted(os.listdir(layer)):
        path = os.path.join(layer, entry)
        if entry.endswith(".py") and not is_vendored(path):
            with open(path, encoding="utf-8") as f:
                own.append(f.read())
    wanted, todo = set(), [name for text in own for name in IMPORT_RE.findall(text)]
    while todo:
        name = todo.pop()
        if name in wanted or name not in shared:
            continue
        wanted.add(name)
        todo.extend(IMPORT_RE.findall(shared[name]))
    return wanted


def plan(root=ROOT):
    """``(writes, removals)``: ``{path: text}`` of copies to (re)write, paths of stale copies."""
    shared = shared_modules(root)
    writes, removals = {}, []
    for layer in layer_dirs(root):
        wanted = needed(layer, shared)
        for name in sorted(wanted):
            path = os.path.join(layer, name + ".py")
            text = header(name) + shared[name]
            current = None
            if os.path.exists(path):
                with open(path, encoding="utf-8", newline="") as f:
                    current = f.read()
            if current != text:
                writes[path] = text
        for entry in sorted(os.listdir(layer)):
            path = os.path.join(layer, entry)
            if entry.endswith(".py") and entry[:-3] not in wanted and is_vendored(path):
                removals.append(path)
    return writes, removals


def main(argv, root=ROOT):
    writes, removals = plan(root)
    rel = lambda p: os.path.relpath(p, root)  # noqa: E731
    if "--check" in argv:
        for path in writes:
            print(f"stale or missing vendored copy: {rel(path)}")
        for path in removals:
            print(f"vendored copy no longer needed: {rel(path)}")
        return 1 if writes or removals else 0
    for path, text in writes.items():
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        print(f"vendored {rel(path)}")
    for path in removals:
        os.remove(path)
        print(f"removed {rel(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
