"""Tests of the prometheus_scrape layer (interface-prometheus-scrape/): everything about it in one package."""
