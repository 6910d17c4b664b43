"""Fixtures shared by every test that runs in the app environment."""
