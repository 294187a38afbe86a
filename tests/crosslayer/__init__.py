"""Tests run against every layer of ``tests/registry.py``."""
