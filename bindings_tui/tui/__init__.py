"""The terminal UI (Textual). The headless core never imports this package."""
