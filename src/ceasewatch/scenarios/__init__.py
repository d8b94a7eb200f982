"""Bundled, generated scenarios for demonstrations and tests."""
