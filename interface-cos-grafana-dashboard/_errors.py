# Vendored from layerlib/_errors.py by `make vendor`: do not edit; edit the source.
"""The exception every layer raises for remote data it cannot use."""


class InvalidDataError(ValueError):
    """Relation data that does not follow the wire format; the message says which key and
    why, and never contains a secret (a token, a URL password)."""


def first_line(error):
    """An exception's message, first line only (or its type's name)."""
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
