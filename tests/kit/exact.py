"""Byte-exact comparison of what a layer wrote with what upstream wrote.

The contract runner (``kit.contract``) compares every databag value a vectors case records
as the raw string: same key order, separators, escaping, compressed bytes. Decoding is only
used to explain a failure. Where upstream leaves a part arbitrary (the order of a set, the
order Juju gives units), an adapter compares only that part unordered
(``assert_same_array_unordered``: the items of a JSON array as a multiset, each item and
every separator still byte for byte).
"""

import json

#: how many characters either side of the first difference a failure message shows
CONTEXT = 40


def first_difference(got, want):
    """The index of the first character where ``got`` and ``want`` differ (None: equal)."""
    if got == want:
        return None
    for i, (a, b) in enumerate(zip(got, want)):
        if a != b:
            return i
    return min(len(got), len(want))


def _json_path_difference(got, want, path="$"):
    """Where two decoded JSON values first differ: a path and what each side has there."""
    if type(got) is not type(want):
        return f"{path}: {type(got).__name__} {got!r:.80} vs {type(want).__name__} {want!r:.80}"
    if isinstance(got, dict):
        if list(got) != list(want):
            if set(got) == set(want):
                return f"{path}: same keys in another order: {list(got)} vs {list(want)}"
            return (f"{path}: keys only written {sorted(set(got) - set(want))}, "
                    f"only expected {sorted(set(want) - set(got))}")
        for key in got:
            found = _json_path_difference(got[key], want[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(got, list):
        if len(got) != len(want):
            return f"{path}: {len(got)} items vs {len(want)}"
        for i, (a, b) in enumerate(zip(got, want)):
            found = _json_path_difference(a, b, f"{path}[{i}]")
            if found:
                return found
        return None
    return None if got == want else f"{path}: {got!r:.80} vs {want!r:.80}"


def explain(got, want):
    """Why the string ``got`` is not the expected ``want``: the first differing character
    with context and, when both are JSON, what decoding shows (for the message only: the
    comparison itself is of the raw strings)."""
    i = first_difference(got, want)
    lines = [f"first difference at character {i} of {len(got)} written / {len(want)} expected:",
             f"  written:  ...{got[max(0, i - CONTEXT):i + CONTEXT]!r}...",
             f"  expected: ...{want[max(0, i - CONTEXT):i + CONTEXT]!r}..."]
    try:
        decoded = json.loads(got), json.loads(want)
    except (TypeError, ValueError):
        return "\n".join(lines)
    where = _json_path_difference(*decoded)
    lines.append("  decoded: " + (where or "equal JSON (the bytes differ: separators, "
                                          "escaping, number or key formatting)"))
    return "\n".join(lines)


def assert_same_string(got, want, what):
    """``got`` is ``want``, byte for byte; the failure says where and why they differ."""
    if not isinstance(got, str) or not isinstance(want, str):
        raise AssertionError(f"{what}: not strings: {got!r:.200} vs {want!r:.200}")
    if got != want:
        raise AssertionError(f"{what}: not the recorded bytes\n" + explain(got, want))


def _skip_space(text, i):
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def split_json_array(text):
    """The raw text of one JSON array: ``(opening, [item text, ...], [separator, ...],
    closing)``, each item exactly as written, so that ``opening`` + the items joined by the
    separators + ``closing`` is ``text``. ValueError when ``text`` is not a JSON array."""
    if not isinstance(json.loads(text), list):
        raise ValueError("not a JSON array")
    decoder = json.JSONDecoder()
    i = _skip_space(text, text.index("[") + 1)
    opening, items, seps = text[:i], [], []
    if text[i] == "]":
        return opening, items, seps, text[i:]
    while True:
        _, end = decoder.raw_decode(text, i)
        items.append(text[i:end])
        after = _skip_space(text, end)
        if text[after] == "]":
            return opening, items, seps, text[end:]
        i = _skip_space(text, after + 1)
        seps.append(text[end:i])


def assert_same_array_unordered(got, want, what):
    """``got`` is ``want`` but for the order of the items of its top-level JSON array (an
    order upstream leaves arbitrary): the brackets, the separators and every item byte for
    byte, the items as a multiset."""
    try:
        g, w = split_json_array(got), split_json_array(want)
    except (TypeError, ValueError) as e:
        raise AssertionError(f"{what}: not a JSON array ({e}): {got!r:.200}") from None
    if (g[0], g[2], g[3]) != (w[0], w[2], w[3]) or sorted(g[1]) != sorted(w[1]):
        # the items in the recorded order where possible, to point at the difference
        rest = list(g[1])
        ordered = [rest.pop(rest.index(item)) for item in w[1] if item in rest] + rest
        rebuilt = g[0] + "".join(a + b for a, b in zip(ordered, g[2] + [""])) + g[3]
        raise AssertionError(f"{what}: not the recorded bytes (item order aside)\n"
                             + explain(rebuilt, want))
