#!/usr/bin/env bash
# Run CMD inside a private D-Bus session with a throwaway, unlocked gnome-keyring
# Secret Service, then stop the daemon (by its PID) and return CMD's exit code.
#
#   scripts/with-secret-service.sh .venv/bin/pytest tests/credentials -q
#
# The keyring files live in a temporary directory that is deleted afterwards; the
# user's own keyrings are never touched. When dbus-run-session or gnome-keyring-daemon
# is missing, CMD runs as it is, so the Secret Service tests skip with a reason.
set -uo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 CMD [ARGS...]" >&2
  exit 2
fi

if [ "${_WITH_SECRET_SERVICE_INNER:-}" != "1" ]; then
  if ! command -v dbus-run-session >/dev/null 2>&1 || ! command -v gnome-keyring-daemon >/dev/null 2>&1; then
    echo "with-secret-service: dbus-run-session or gnome-keyring-daemon not installed" \
         "(apt-get install -y --no-install-recommends gnome-keyring dbus-x11);" \
         "running without a Secret Service" >&2
    exec "$@"
  fi
  export _WITH_SECRET_SERVICE_INNER=1
  exec dbus-run-session -- "$0" "$@"
fi

# Inside the private session bus from here on.
unset _WITH_SECRET_SERVICE_INNER
workdir="$(mktemp -d "${TMPDIR:-/tmp}/with-secret-service.XXXXXX")"
chmod 700 "$workdir"
mkdir -p "$workdir/data" "$workdir/runtime"
chmod 700 "$workdir/runtime"
password="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"

# --foreground keeps the daemon as our child, so $! is its real PID.
printf '%s' "$password" | XDG_DATA_HOME="$workdir/data" XDG_RUNTIME_DIR="$workdir/runtime" \
  gnome-keyring-daemon --foreground --unlock --components=secrets \
  >"$workdir/daemon.out" 2>"$workdir/daemon.err" &
daemon_pid=$!
unset password

cleanup() {
  if kill -0 "$daemon_pid" 2>/dev/null; then
    kill "$daemon_pid" 2>/dev/null
    wait "$daemon_pid" 2>/dev/null
  fi
  rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Wait (bounded) until the Secret Service answers on the bus.
ready=0
for _ in $(seq 1 50); do
  if ! kill -0 "$daemon_pid" 2>/dev/null; then break; fi
  if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
       org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null \
       | grep -q 'boolean true'; then
    ready=1
    break
  fi
  sleep 0.1
done
if [ "$ready" -ne 1 ]; then
  echo "with-secret-service: gnome-keyring-daemon did not come up; running without it" >&2
  sed 's/^/  gnome-keyring-daemon: /' "$workdir/daemon.err" >&2 || true
fi

if [ "$ready" -eq 1 ]; then
  # Tells the Secret Service tests a daemon was started: failing to reach it is then a
  # test failure, not a skip.
  export BINDINGS_TUI_SECRET_SERVICE=1
fi
"$@"
status=$?
exit "$status"
