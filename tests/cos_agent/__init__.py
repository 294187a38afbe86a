"""Tests of the cos_agent layer (interface-cos-agent/): everything about it in one package."""
