"""The CLI package's shape: every command registered plainly, no import cycle, a cheap parser.

A renamed import in a command module must fail loudly here, never turn a command into
"invalid choice" (which the old optional-import hooks did).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import bindings_tui
from bindings_tui import cli
from bindings_tui.cli import common, fake, tui
from bindings_tui.demo import DEMO_BINDINGS, DEMO_LATENCY_MS, DEMO_SEED, FAKE_PORT

PACKAGE = Path(bindings_tui.__file__).parent
COMMANDS = {
    "services",
    "list",
    "show",
    "delete",
    "fake-twilio",
    "auth",
    "diagnose",
    "find",
    "history",
    "watch",
}
AUTH_COMMANDS = {"login", "list", "use", "remove", "logout", "status", "set", "import-twilio-cli"}


def _choices(capsys: pytest.CaptureFixture[str], *argv: str) -> set[str]:
    """The commands argparse offers, as its one-line `invalid choice` error lists them."""
    assert cli.main([*argv, "no-such-command"]) == 2
    line = capsys.readouterr().err
    listed = line.split("choose from ", 1)[1].split(")", 1)[0]
    return {c.strip().strip("'") for c in listed.split(",")}


def test_every_command_is_registered(capsys: pytest.CaptureFixture[str]) -> None:
    assert _choices(capsys) == COMMANDS
    assert _choices(capsys, "auth") == AUTH_COMMANDS


@pytest.mark.parametrize(
    "argv",
    [[], *([c] for c in sorted(COMMANDS)), *(["auth", c] for c in sorted(AUTH_COMMANDS))],
    ids=lambda argv: " ".join(argv) or "top",
)
def test_every_command_has_help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([*argv, "--help"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith(f"usage: bindings-tui {' '.join(argv)}".rstrip())
    assert err == ""


def test_diagnose_help_names_its_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["diagnose", "--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--stale-days", "--pile-up", "--now", "--full", "--demo", "--service"):
        assert option in out


def test_fake_twilio_help_lists_the_faults(capsys: pytest.CaptureFixture[str]) -> None:
    from bindings_tui.fake_twilio import FAULTS_HELP

    assert cli.main(["fake-twilio", "--help"]) == 0
    assert FAULTS_HELP.splitlines()[0] in capsys.readouterr().out
    assert FAULTS_HELP in fake.fake_help()


def test_global_options_are_defined_once_and_mean_the_same_everywhere() -> None:
    parser = cli.build_parser()
    for argv in (["--api", "chat", "auth", "status"], ["auth", "status", "--api", "chat"]):
        args = parser.parse_args(argv)
        assert (args.api, args.timeout, args.retries) == ("chat", 15.0, 5)
    for command in (["services"], ["auth", "status"], ["diagnose"], ["fake-twilio"]):
        args = parser.parse_args([*command, "--region", "ie1", "--edge", "dublin"])
        assert (args.region, args.edge) == ("ie1", "dublin")


def test_demo_defaults_come_from_one_place() -> None:
    from bindings_tui.fake_twilio import FakeConfig
    from bindings_tui.tui.factory import DemoOptions

    top = cli.build_parser().parse_args([])
    assert (top.seed, top.bindings, top.latency_ms) == (DEMO_SEED, DEMO_BINDINGS, DEMO_LATENCY_MS)
    served = cli.build_parser().parse_args(["fake-twilio"])
    assert (served.seed, served.bindings, served.port) == (DEMO_SEED, DEMO_BINDINGS, FAKE_PORT)
    options = DemoOptions()
    assert (options.seed, options.bindings, options.latency_ms) == (
        DEMO_SEED,
        DEMO_BINDINGS,
        DEMO_LATENCY_MS,
    )
    config = FakeConfig()
    assert (config.seed, config.bindings) == (DEMO_SEED, DEMO_BINDINGS)


def _python_output(code: str, env: dict[str, str] | None = None) -> str:
    """stdout of `python -c code` in a fresh interpreter (this package on its path), which
    must exit 0."""
    full = {**os.environ, "PYTHONPATH": str(PACKAGE.parent), **(env or {})}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=full, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_script_entry_and_python_m_both_work() -> None:
    env = {**os.environ, "PYTHONPATH": str(PACKAGE.parent)}
    done = subprocess.run(
        [sys.executable, "-m", "bindings_tui", "--version"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0 and done.stdout.startswith("bindings-tui ")
    from importlib.metadata import entry_points

    scripts = {e.name: e.value for e in entry_points(group="console_scripts")}
    if "bindings-tui" in scripts:  # installed (editable) in this environment
        assert scripts["bindings-tui"] == "bindings_tui.cli:main"


@pytest.mark.parametrize(
    "argv",
    [
        ["--demo"],
        ["list", "--service", "IS" + "a" * 32, "--base-url", "http://127.0.0.1:4010"],
        ["diagnose", "--service", "IS" + "a" * 32, "--stale-days", "30", "--full"],
        ["delete", "--service", "IS" + "a" * 32, "BS" + "b" * 32, "--yes"],
        ["fake-twilio", "--now", "2026-11-01T00:00:00Z"],
    ],
    ids=lambda argv: argv[0],
)
def test_building_the_parser_imports_no_command_implementation(argv: list[str]) -> None:
    """The TUI starts after parsing, and every command pays for its parse: the parser must
    not pull in keyring, the fake, uvicorn, Textual, the client, httpx (which imports rich
    and click for its own CLI) or the diagnosis (issue 16: each command imports what it
    needs when it runs)."""
    code = (
        "import sys\n"
        "from bindings_tui.cli import build_parser\n"
        f"build_parser().parse_args({argv!r})\n"
        "heavy = ['keyring', 'textual', 'uvicorn', 'bindings_tui.fake_twilio',\n"
        "         'bindings_tui.credentials.login', 'bindings_tui.credentials.secrets',\n"
        "         'bindings_tui.tui', 'httpx', 'rich', 'click', 'bindings_tui.client',\n"
        "         'bindings_tui.diagnose_run', 'bindings_tui.diagnostics',\n"
        "         'bindings_tui.evidence.alerts', 'bindings_tui.cli.diagnose_render']\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    out = _python_output(code)
    assert out.strip() == ""


def test_a_listing_with_environment_credentials_imports_only_what_it_uses() -> None:
    """What `list` needs before its first request: the client (httpx) and credentials from
    the environment. Not httpx's own command line (click, rich, pygments: ~60 ms), the
    keyring (~60 ms, only for a profile's secret), filelock (only to change profiles) or
    the diagnosis (the alerts import it); a sniffio that is not installed is marked
    missing once, not searched for on every request."""
    code = (
        "import sys, importlib.util\n"
        "from bindings_tui.cli import build_parser\n"
        "from bindings_tui.cli.common import make_client\n"
        "import bindings_tui.streams, bindings_tui.output\n"
        "args = build_parser().parse_args(['list', '--service', 'IS' + 'a' * 32,\n"
        "                                  '--base-url', 'http://127.0.0.1:4010'])\n"
        "client = make_client(args)\n"
        "heavy = ['click', 'rich', 'pygments', 'httpx._main', 'keyring', 'filelock',\n"
        "         'bindings_tui.credentials.secrets', 'bindings_tui.diagnostics',\n"
        "         'bindings_tui.evidence.alerts']\n"
        "print(','.join(m for m in heavy if sys.modules.get(m) is not None))\n"
        "print(sys.modules.get('sniffio', 'absent') is None\n"
        "      or importlib.util.find_spec('sniffio') is not None)\n"
    )
    env = {"TWILIO_ACCOUNT_SID": "AC" + "c" * 32, "TWILIO_AUTH_TOKEN": "t" * 32}
    assert _python_output(code, env).splitlines() == ["", "True"]


def test_the_diagnosis_reads_import_none_of_its_rules() -> None:
    """`diagnose` sends its first requests before the rules are imported (a thread imports
    them once the first page is in, issue 16): its reads and settings must not pull them in."""
    code = (
        "import sys\n"
        "import bindings_tui.diagnose_reads, bindings_tui.diagnosis_settings\n"
        "import bindings_tui.cli.diagnose\n"
        "rules = ['bindings_tui.diagnostics', 'bindings_tui.credential_rules',\n"
        "         'bindings_tui.diagnose_run', 'bindings_tui.evidence.alert_findings',\n"
        "         'bindings_tui.evidence.push_config', 'bindings_tui.evidence.verdict',\n"
        "         'bindings_tui.cli.diagnose_render']\n"
        "print(','.join(m for m in rules if m in sys.modules))\n"
    )
    out = _python_output(code)
    assert out.strip() == ""


@pytest.mark.parametrize(
    ("command", "ends_at_once"), [("list", True), ("diagnose", True), ("services", False)]
)
def test_a_command_that_ends_the_process_runs_without_the_collector(
    command: str, ends_at_once: bool
) -> None:
    """`list` and `diagnose` as the process's own command: start-up frozen, the collector
    off (their results live to the end) and results kept for `os._exit`; other commands
    keep the collector and keep nothing."""
    code = (
        "import gc, sys\n"
        "from bindings_tui.cli import entry, common\n"
        "def run(args):\n"
        "    common.keep_until_exit('x')\n"
        "    print(gc.isenabled(), gc.get_freeze_count() > 0, len(common._KEPT.values))\n"
        "    return 0\n"
        "entry.run = run\n"
        f"sys.argv = ['bindings-tui', {command!r}, '--service', 'IS' + 'a' * 32]\n"
        "sys.exit(entry.main())\n"
    )
    out = _python_output(code)
    expected = "False True 1" if ends_at_once else "True False 0"
    assert out.strip() == expected


def test_the_help_numbers_are_the_defaults_the_commands_use(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Parsing leaves the diagnosis unimported, so `diagnose --help` states its defaults
    as text: they must be the numbers the run uses."""
    from bindings_tui.cli.diagnose_render import DEFAULT_SHOWN_BINDINGS
    from bindings_tui.evidence.alerts import DEFAULT_ALERT_DAYS, DEFAULT_MAX_ALERTS, MAX_ALERT_DAYS

    assert cli.main(["diagnose", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert f"(1..{MAX_ALERT_DAYS}, default {DEFAULT_ALERT_DAYS})" in out
    assert f"(default {DEFAULT_MAX_ALERTS})" in out
    assert f"(default: first {DEFAULT_SHOWN_BINDINGS})" in out


# ---- the modules themselves --------------------------------------------------------------


def _modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(parts), path


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_imports(module: str, path: Path, known: set[str], *, deferred: bool) -> set[str]:
    """Modules of the package that `module` imports at run time: when it is imported
    (top-level statements) and, with `deferred`, in its function bodies too. TYPE_CHECKING
    blocks never run."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, ast.If):
                if not _is_type_checking(node):
                    visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
                visit(node.orelse)
                visit(node.finalbody)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                if deferred or isinstance(node, ast.ClassDef):
                    visit(node.body)
            elif isinstance(node, ast.With | ast.AsyncWith | ast.For | ast.While):
                visit(node.body)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    base = f"{anchor}.{base}" if base else anchor
                found.add(base)
                # `from package import submodule` imports that submodule.
                found.update(f"{base}.{a.name}" for a in node.names)

    visit(tree.body)
    edges: set[str] = set()
    for name in found:
        # `import a.b.c` imports a, a.b and a.b.c; only the deepest known one matters here.
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name and name != module:
            edges.add(name)
    return edges


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def _graph(*, deferred: bool = False) -> dict[str, set[str]]:
    modules = dict(_modules())
    known = set(modules)
    graph = {
        name: _runtime_imports(name, path, known, deferred=deferred)
        for name, path in modules.items()
    }
    # A package imports its parent package first; that is not an edge back to it.
    for name, targets in graph.items():
        targets.difference_update(p for p in list(targets) if name.startswith(p + "."))
    return graph


def test_the_import_walker_sees_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    graph = _graph()
    assert "bindings_tui.cli.common" in graph["bindings_tui.cli.listing"]
    assert "bindings_tui.cli.argtypes" in graph["bindings_tui.cli.common"]
    assert "bindings_tui.client" not in graph["bindings_tui.cli.common"]
    assert "bindings_tui.client" in _graph(deferred=True)["bindings_tui.cli.common"]


def test_no_runtime_import_cycle_anywhere_in_the_package() -> None:
    """The core, the CLI and the TUI (app <-> screens was a cycle) import in one direction;
    a deferred import inside a function does not count here."""
    assert _cycles(_graph()) == []


def test_no_import_cycle_in_the_cli_even_through_deferred_imports() -> None:
    """cli.py <-> cli_diagnose.py was a cycle through a function-level import: inside the
    CLI package, imports in function bodies count too."""
    graph = {
        name: {t for t in targets if t.startswith("bindings_tui.cli")}
        for name, targets in _graph(deferred=True).items()
        if name.startswith("bindings_tui.cli")
    }
    assert _cycles(graph) == []


def test_no_swallowed_imports_in_the_cli() -> None:
    """No import guarded by `except ImportError/AttributeError`, no importlib lookups, no
    argparse internals: a broken import is a loud failure."""
    swallowing = ("ImportError", "ModuleNotFoundError", "AttributeError", "Exception")
    for name, path in _modules():
        if not name.startswith("bindings_tui.cli"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Try):
                imports = [
                    n
                    for statement in node.body
                    for n in ast.walk(statement)
                    if isinstance(n, ast.Import | ast.ImportFrom)
                ]
                caught = " ".join(ast.unparse(h.type) for h in node.handlers if h.type is not None)
                bare = any(h.type is None for h in node.handlers)
                assert not (imports and (bare or any(w in caught for w in swallowing))), (
                    name,
                    node.lineno,
                )
            if isinstance(node, ast.Attribute):
                assert node.attr not in ("import_module", "_actions"), (name, node.attr)


def test_the_tui_flags_belong_to_the_top_level_only() -> None:
    parser = common.Parser(prog="x")
    tui.add_tui_arguments(parser)
    args = parser.parse_args(["--demo", "--seed", "3"])
    assert (args.demo, args.seed) == (True, 3)
