"""Tests of the parca_scrape layer (interface-parca-scrape/): everything about it in one package."""
