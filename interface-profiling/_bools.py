# Vendored from layerlib/_bools.py by `make vendor`: do not edit; edit the source.
"""Booleans as upstream's pydantic models read them from JSON: the one rule, written out.

Shared by the layers whose upstream validates a boolean field with pydantic:
profiling (``insecure``) and cos_agent (``config.subordinate``).
"""

#: The strings accepted as booleans, compared with ASCII letters case-folded.
TRUE_WORDS = frozenset({"true", "t", "yes", "y", "on", "1"})
FALSE_WORDS = frozenset({"false", "f", "no", "n", "off", "0"})


def to_bool(value):
    """``value`` as a boolean, by pydantic's rule; ``ValueError`` when it is not one.

    Accepted: ``True`` and ``False``; the numbers ``1`` and ``0`` (ints or floats,
    so ``1.0`` and ``0.0`` too); the strings ``true``/``false``, ``yes``/``no``,
    ``on``/``off``, ``t``/``f``, ``y``/``n`` and ``1``/``0``, in any letter case
    (ASCII letters only fold) but with nothing around them. Anything else
    (``None``, ``2``, ``""``, ``" true"``, ``"maybe"``, bytes, a list ...) is refused.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        if value == 1:
            return True
        if value == 0:
            return False
    elif isinstance(value, str):
        word = value.lower() if value.isascii() else value
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise ValueError("not a boolean")


def is_bool(value, optional=False):
    """Whether ``to_bool`` accepts ``value`` (``None`` too when ``optional``: an optional
    field)."""
    if optional and value is None:
        return True
    try:
        to_bool(value)
    except ValueError:
        return False
    return True
