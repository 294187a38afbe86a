"""Helpers of the cos_agent tests: writing a charm's files, decoding what the principal
publishes."""

import base64
import json
import lzma
import os

PRINCIPAL = "cos-agent"
COLLECTOR = "cos-agent-collector"


def write_files(charm, files):
    """Write ``files`` (``{path relative to the charm: text}``) into the charm directory."""
    for path, text in files.items():
        full = os.path.join(charm, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write(text)


def decode_config(raw):
    """A ``config`` value as the collector reads it: JSON, each dashboard decoded."""
    config = json.loads(raw)
    config["dashboards"] = [json.loads(lzma.decompress(base64.b64decode(d)))
                            for d in config["dashboards"]]
    return config


def published(unit, rid):
    """The principal's decoded ``config`` on relation ``rid`` (None when there is none),
    after checking that ``config`` is the only key of its unit databag."""
    bag = unit.local_unit_data(rid)
    assert set(bag) <= {"config"}, bag
    return decode_config(bag["config"]) if "config" in bag else None
