"""Tests of the prometheus_api layer (interface-prometheus-api/): everything about it in one package."""
