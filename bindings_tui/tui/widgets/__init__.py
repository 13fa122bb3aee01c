"""Widgets: the virtualized bindings table, detail pane, filter bar."""
