"""Hostile HTTP servers on loopback, and the tests that drive every entry point at them."""
