"""Profile files: exact names (fullmatch), no silent replacement on import, locked atomic
writes (two `auth login` at once both land), and one line for a broken or hostile file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bindings_tui import cli
from bindings_tui.credentials.profiles import (
    Profile,
    ProfileStore,
    is_profile_name,
    validate_profile_name,
)
from bindings_tui.credentials.secret import Secret
from bindings_tui.credentials.secrets import KEYRING_SERVICE, SecretStore
from bindings_tui.credentials.twilio_cli import import_twilio_cli
from bindings_tui.errors import ConfigError, InputError

from .conftest import ACCOUNT, API_KEY, OTHER_ACCOUNT, SECRET, MemoryKeyring, StubApi
from .helpers import cli_command, subprocess_env

RAW = ("\x1b", "\x07", "\x9b", "\x00")
OTHER_KEY = "SK" + "ffeeddccbbaa99887766554433221100"


@pytest.mark.parametrize(
    "name",
    ["prod\n", "prod\r\n", " prod", "prod ", "pr od", "prod\x00", "ｐrod", "-prod", "a" * 65, ""],
)
def test_profile_names_are_checked_with_fullmatch_and_never_stripped(name: str) -> None:
    assert not is_profile_name(name)
    with pytest.raises(InputError) as info:
        validate_profile_name(name)
    assert info.value.user_message().isprintable()


def _write_cli_config(tmp_path: Path, profiles: dict[str, dict[str, object]]) -> Path:
    path = tmp_path / "twilio-cli" / "config.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps({"activeProfile": None, "profiles": profiles}))
    return path


def test_import_of_prod_newline_never_replaces_prod(
    tmp_path: Path, memory_keyring: MemoryKeyring, store: ProfileStore, secrets: SecretStore
) -> None:
    store.save(Profile("prod", OTHER_ACCOUNT), make_active=True)
    secrets.set("prod", "the-real-prod-secret-0001")
    hostile = {"accountSid": ACCOUNT, "apiKey": API_KEY, "apiSecret": SECRET}
    path = _write_cli_config(
        tmp_path, {"prod\n": hostile, " prod": hostile, "prod\x1b]0;t\x07": hostile}
    )
    report = import_twilio_cli(path, store=store, secrets=secrets)
    assert report.imported == []
    assert len(report.skipped) == 3
    assert store.get("prod").account_sid == OTHER_ACCOUNT
    assert memory_keyring.entries == {(KEYRING_SERVICE, "prod"): "the-real-prod-secret-0001"}
    for line in report.lines():
        assert "\n" not in line and not any(c in line for c in RAW)
        assert SECRET not in line


def test_import_never_replaces_a_profile_or_its_secret_without_overwrite(
    tmp_path: Path, memory_keyring: MemoryKeyring, store: ProfileStore, secrets: SecretStore
) -> None:
    store.save(Profile("prod", OTHER_ACCOUNT))
    secrets.set("prod", "the-real-prod-secret-0001")
    entry = {"accountSid": ACCOUNT, "apiKey": API_KEY, "apiSecret": SECRET}
    path = _write_cli_config(tmp_path, {"prod": entry, "new": entry})
    report = import_twilio_cli(path, store=store, secrets=secrets)
    assert report.imported == ["new"]
    assert [name for name, _ in report.skipped] == ["prod"]
    assert "--overwrite" in report.skipped[0][1]
    assert store.get("prod").account_sid == OTHER_ACCOUNT
    assert secrets.get("prod") == Secret("the-real-prod-secret-0001")
    report = import_twilio_cli(path, store=store, secrets=secrets, overwrite=True)
    assert sorted(report.imported) == ["new", "prod"]
    assert store.get("prod").account_sid == ACCOUNT
    assert secrets.get("prod") == Secret(SECRET)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("region", "x@evil.example:443/"),
        ("region", "ie1\n"),
        ("edge", "evil.example#"),
        ("edge", "DUBLIN"),
        ("region", "\x1b]52;c;eA==\x07"),
        ("apiSecret", "has\x1b[2Jescape"),
        ("apiSecret", " padded "),
    ],
)
def test_import_skips_hostile_entries_with_one_inert_line(
    field: str,
    value: str,
    tmp_path: Path,
    memory_keyring: MemoryKeyring,
    store: ProfileStore,
    secrets: SecretStore,
) -> None:
    entry: dict[str, object] = {"accountSid": ACCOUNT, "apiKey": API_KEY, "apiSecret": SECRET}
    entry[field] = value
    path = _write_cli_config(tmp_path, {"p": entry})
    report = import_twilio_cli(path, store=store, secrets=secrets)
    assert report.imported == [] and [n for n, _ in report.skipped] == ["p"]
    assert memory_keyring.entries == {}
    assert not store.path.exists()
    for line in report.lines():
        assert "\n" not in line and not any(c in line for c in RAW)
        assert (SECRET not in line and value not in line) or value.isprintable()


def test_cli_import_prints_one_line_per_skipped_profile(
    tmp_path: Path,
    memory_keyring: MemoryKeyring,
    store: ProfileStore,
    capsys: pytest.CaptureFixture[str],
) -> None:
    store.save(Profile("prod", OTHER_ACCOUNT))
    entry = {"accountSid": ACCOUNT, "apiKey": API_KEY, "apiSecret": SECRET}
    path = _write_cli_config(tmp_path, {"prod": entry, "prod\n": entry})
    assert cli.main(["auth", "import-twilio-cli", "--config", str(path)]) == 1
    out, err = capsys.readouterr()
    skipped = [line for line in out.splitlines() if line.startswith("skipped twilio-cli profile")]
    assert len(skipped) == 2
    assert "'prod\\x0a'" in out
    assert SECRET not in out + err


# ---- locked, atomic writes ---------------------------------------------------------------


def test_concurrent_saves_from_many_stores_all_land(config_dir: Path) -> None:
    """Threads with their own ProfileStore (their own lock object) on one directory."""
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            mine = ProfileStore(config_dir)
            barrier.wait(10)
            for j in range(5):
                mine.save(Profile(f"p{i}-{j}", ACCOUNT))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    names = {p.name for p in ProfileStore(config_dir).list()}
    assert names == {f"p{i}-{j}" for i in range(8) for j in range(5)}


def test_two_auth_logins_at_once_both_end_up_saved(stub_api: StubApi, tmp_path: Path) -> None:
    """Real `bindings-tui auth login` processes, started together on one config dir."""
    home, config, ring = tmp_path / "home", tmp_path / "config", tmp_path / "ring"
    for d in (home, ring):
        d.mkdir()
    plugin = Path(__file__).parent / "keyring_plugin"
    env = subprocess_env(
        home,
        config,
        PYTHON_KEYRING_BACKEND="dir_keyring.DirKeyring",
        DIR_KEYRING_PATH=str(ring),
    )
    env["PYTHONPATH"] = os.pathsep.join([env["PYTHONPATH"], str(plugin)])
    names = [f"login{i}" for i in range(6)]
    procs = [
        subprocess.Popen(
            cli_command(
                "auth",
                "login",
                "--profile",
                name,
                "--account-sid",
                ACCOUNT,
                "--api-key",
                API_KEY,
                "--base-url",
                stub_api.base_url,
            ),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for name in names
    ]
    results = [p.communicate(SECRET + "\n", timeout=90) for p in procs]
    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        assert SECRET not in out + err
    saved = {p.name for p in ProfileStore(config).list()}
    assert saved == set(names)
    assert len(list(ring.iterdir())) == len(names)


def test_a_failed_write_leaves_the_old_file_and_no_temp_files(
    store: ProfileStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.save(Profile("a", ACCOUNT))
    before = store.path.read_bytes()

    def fail(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(ConfigError, match="No space left"):
        store.save(Profile("b", ACCOUNT))
    assert store.path.read_bytes() == before
    assert not [p for p in store.directory.iterdir() if p.suffix == ".tmp"]


# ---- broken or hostile files ------------------------------------------------------------

HOSTILE_TOML = [
    ("deep", "a = " + "[" * 100_000 + "]" * 100_000 + "\n", "nested too deeply"),
    ("binary", "\x00\x01\x02 not toml \x1b[2J", "not valid TOML"),
    ("bad-utf8", None, "not UTF-8"),
    ("huge", "# " + "x" * (2 * 1024 * 1024) + "\n", "larger than"),
    (
        "escape-key",
        'active = "p"\n[profiles."p\\u001b]0;t\\u0007"]\naccount_sid = "x"\n',
        "profiles",
    ),
    ("unknown-key", f'[profiles.p]\naccount_sid = "{ACCOUNT}"\n"k\\u009b2J" = "v"\n', "unknown"),
    (
        "secret-in-file",
        f'[profiles.p]\naccount_sid = "{ACCOUNT}"\nsecret = "{SECRET}"\n',
        "unknown",
    ),
    ("wrong-type", '[profiles.p]\naccount_sid = ["x"]\n', "must be a string"),
]


@pytest.mark.parametrize(("case", "text", "needle"), HOSTILE_TOML, ids=[c[0] for c in HOSTILE_TOML])
@pytest.mark.parametrize("argv", [["auth", "list"], ["auth", "status"], ["services"]])
def test_a_hostile_profiles_toml_is_one_line_naming_the_file(
    case: str,
    text: str | None,
    needle: str,
    argv: list[str],
    config_dir: Path,
    memory_keyring: MemoryKeyring,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config_dir.mkdir(parents=True, exist_ok=True)
    path = config_dir / "profiles.toml"
    if text is None:
        path.write_bytes(b'active = "\xff\xfe"\n')
    else:
        path.write_text(text, encoding="utf-8")
    code = cli.main(argv)
    out, err = capsys.readouterr()
    assert code == 1
    assert len(err.splitlines()) == 1 and err.startswith("bindings-tui: error: ")
    assert "profiles.toml" in err and needle in err
    assert not any(c in err for c in RAW) and "Traceback" not in err
    assert SECRET not in out + err
    assert len(err) < 1200


@pytest.mark.parametrize(
    ("case", "text", "needle"), HOSTILE_TOML[:4], ids=[c[0] for c in HOSTILE_TOML[:4]]
)
def test_a_hostile_config_toml_is_one_line_naming_the_file(
    case: str,
    text: str | None,
    needle: str,
    config_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", SECRET)
    config_dir.mkdir(parents=True, exist_ok=True)
    path = config_dir / "config.toml"
    if text is None:
        path.write_bytes(b"[diagnostics]\nstale_days = \xff\n")
    else:
        path.write_text(text, encoding="utf-8")
    for argv in (["diagnose", "--service", "IS" + "a" * 32], ["diagnose", "--demo"]):
        code = cli.main(argv)
        out, err = capsys.readouterr()
        assert code == 1
        assert len(err.splitlines()) == 1 and "config.toml" in err and needle in err
        assert not any(c in err for c in RAW) and "Traceback" not in err
        assert SECRET not in out + err


def test_the_config_dir_name_itself_is_shown_inert(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    weird = tmp_path / "cfg\x1b]0;t\x07"
    weird.mkdir()
    (weird / "profiles.toml").write_text("not = [toml")
    monkeypatch.setenv("BINDINGS_TUI_CONFIG_DIR", str(weird))
    assert cli.main(["auth", "list"]) == 1
    err = capsys.readouterr().err
    assert "cfg\\x1b]0;t\\x07" in err and not any(c in err for c in RAW)


def test_subprocess_sanity_the_cli_entry_exits_nonzero_on_a_broken_file(tmp_path: Path) -> None:
    home, config = tmp_path / "home", tmp_path / "config"
    home.mkdir()
    config.mkdir()
    (config / "profiles.toml").write_text("a = " + "[" * 50_000 + "]" * 50_000)
    proc = subprocess.run(
        cli_command("auth", "list"),
        capture_output=True,
        text=True,
        env=subprocess_env(home, config),
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.count("\n") == 1 and "nested too deeply" in proc.stderr
    assert sys.executable  # the same interpreter ran it


_SAVER = """
import sys
from pathlib import Path
from bindings_tui.credentials.profiles import Profile, ProfileStore
store = ProfileStore(Path(sys.argv[1]))
for j in range(15):
    store.save(Profile(f"{sys.argv[2]}-{j}", sys.argv[3]))
"""


def test_processes_saving_at_once_lose_nothing(tmp_path: Path) -> None:
    """Separate processes hammering one profiles.toml: the file lock serialises them."""
    home, config = tmp_path / "home", tmp_path / "config"
    home.mkdir()
    env = subprocess_env(home, config)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _SAVER, str(config), f"w{i}", ACCOUNT],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(4)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=90)
        assert proc.returncode == 0, err
    saved = {p.name for p in ProfileStore(config).list()}
    assert saved == {f"w{i}-{j}" for i in range(4) for j in range(15)}
