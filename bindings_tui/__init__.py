"""bindings-tui: a terminal browser for Twilio push-notification Bindings."""

__version__ = "0.1.0"
