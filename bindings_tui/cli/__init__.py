"""The command-line face: `bindings-tui` (the script entry `bindings_tui.cli:main`).

- `entry`: the parser made of every command group, `main`;
- `common`: the global options (defined once), the client factory `make_client`, the
  single error handler;
- `argtypes`: a check for every command-line value (argparse `type=` functions);
- one module per command group: `listing` (services, list, show, delete), `auth`,
  `diagnose`, `tui` (the TUI's flags and start), `fake` (fake-twilio).
"""

from bindings_tui.cli.entry import build_parser, main

__all__ = ["build_parser", "main"]
