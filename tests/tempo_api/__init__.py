"""Tests of the tempo_api layer (interface-tempo-api/): everything about it in one package."""
