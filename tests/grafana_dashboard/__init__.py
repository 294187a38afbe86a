"""Tests of the grafana_dashboard layer (interface-cos-grafana-dashboard/): everything about
it in one package."""
