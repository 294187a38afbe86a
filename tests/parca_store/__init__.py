"""Tests of the parca_store layer (interface-parca-store/): everything about it in one package."""
