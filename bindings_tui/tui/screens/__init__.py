"""Screens: browser, service picker, login, confirm modal, help."""
