#!/usr/bin/env bash
# `make demo`: runs the Sekisho gateway on this one machine in a temporary directory,
# with the example configuration adjusted to that directory, shows what it does, and
# stops everything cleanly on exit or Ctrl-C.
# Usage: scripts/demo.sh BIN_DIR     (DEMO_KEEP=1 keeps the directory afterwards)
set -euo pipefail

bin=$(cd "${1:?usage: demo.sh BIN_DIR}" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
demo=$(mktemp -d /tmp/sekisho-demo.XXXXXX)
pids=()

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

cleanup() {
  local rc=$?
  for pid in "${pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  if [[ "${DEMO_KEEP:-0}" == 1 ]]; then
    echo "demo: files kept in $demo"
  else
    rm -rf "$demo"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for() {  # wait_for SECONDS COMMAND...: polls until the command succeeds
  local deadline=$((SECONDS + $1)); shift
  until "$@" 2>/dev/null; do
    (( SECONDS < deadline )) || { echo "demo: timed out waiting for: $*" >&2; return 1; }
    sleep 0.2
  done
}

step "Preparing $demo"
mkdir -m 0700 "$demo/state" "$demo/secrets"
for key in queue_key audit_key oneway_key; do
  head -c 32 /dev/urandom > "$demo/secrets/$key"
  chmod 0600 "$demo/secrets/$key"
done
# The example configuration, with paths moved into the demo directory and the daemon
# running as the current user. Secrets are 0600 files here instead of systemd credentials.
sed -e "s|^state_dir = .*|state_dir = \"$demo/state\"|" \
    -e "s|^control_socket = .*|control_socket = \"$demo/control.sock\"|" \
    -e "s|^metrics_file = .*|metrics_file = \"$demo/sekishod.prom\"|" \
    -e "s|^user = .*|user = \"$(id -un)\"|" \
    -e "s|^queue_key = \"queue_key\"|queue_key = \"$demo/secrets/queue_key\"|" \
    -e "s|^audit_key = \"audit_key\"|audit_key = \"$demo/secrets/audit_key\"|" \
    -e "s|^oneway_key = \"oneway_key\"|oneway_key = \"$demo/secrets/oneway_key\"|" \
    "$src/config/sekishod.example.toml" > "$demo/sekishod.toml"
chmod 0640 "$demo/sekishod.toml"
"$bin/sekishod" --version
"$bin/sekishod" -c "$demo/sekishod.toml" --check-config

step "Starting sekishod (its log follows)"
"$bin/sekishod" -c "$demo/sekishod.toml" 2> >(sed -u 's/^/  [sekishod] /' >&2) &
pids+=($!)
daemon=$!
wait_for 10 test -s "$demo/sekishod.prom"

step "Metrics file ($demo/sekishod.prom)"
grep -v '^#' "$demo/sekishod.prom" | sed 's/^/  /'

step "Reload with a broken configuration: the daemon keeps the old one"
cp "$demo/sekishod.toml" "$demo/sekishod.toml.good"
echo 'poll_intervall = "5m"' >> "$demo/sekishod.toml"
kill -HUP "$daemon"
wait_for 10 grep -q 'result="failed"} 1' "$demo/sekishod.prom"
kill -0 "$daemon" && echo "  sekishod is still running (pid $daemon)"

step "Reload with the configuration repaired"
cp "$demo/sekishod.toml.good" "$demo/sekishod.toml"
kill -HUP "$daemon"
wait_for 10 grep -q 'result="ok"} 1' "$demo/sekishod.prom"
grep -E '^sekisho_config' "$demo/sekishod.prom" | sed 's/^/  /'

if [[ -t 0 && "${CI:-}" != true ]]; then
  step "The gateway is running. Press Enter (or Ctrl-C) to stop it."
  read -r _ || true
fi

step "Stopping (SIGTERM)"
kill -TERM "$daemon"
rc=0
wait "$daemon" || rc=$?
pids=()
echo "  sekishod exited with status $rc"
[[ $rc -eq 0 ]]
