#!/usr/bin/env bash
# Usage: check-unit-security.sh UNIT_FILE [THRESHOLD]
#
# Proves a unit's hardening with offline tools only (no running systemd needed):
#  1. `systemd-analyze verify` reports nothing: no unknown key, no unparsable
#     value (these are only warnings to systemd, which then silently drops the
#     setting, so any output is treated as a failure);
#  2. `systemd-analyze security --offline=true --threshold=THRESHOLD` succeeds
#     and its "Overall exposure level" is <= THRESHOLD/10 (default 15, i.e.
#     1.5). The figure is parsed and compared as well, so a missing or
#     reworded line fails instead of passing vacuously.
set -euo pipefail

unit=${1:?usage: $0 UNIT_FILE [THRESHOLD]}
threshold=${2:-15}
name=${unit##*/}

fail() { echo "FAIL $name: $*" >&2; exit 1; }

command -v systemd-analyze >/dev/null || fail "systemd-analyze not found"
[[ -r $unit ]] || fail "cannot read $unit"
[[ $threshold =~ ^[0-9]+$ ]] || fail "threshold must be an integer (exposure x 10)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# verify insists that ExecStart='s binary exists. Until it is installed, check
# a copy (same file name, so the same unit name) that runs /bin/true instead.
cp "$unit" "$tmp/$name"
exe=$(sed -n 's/^ExecStart=[-+!@:]*\([^ ]*\).*/\1/p' "$unit" | head -n1)
[[ -n $exe ]] || fail "no ExecStart="
if [[ ! -x $exe ]]; then
  sed -i "s|^\(ExecStart=[-+!@:]*\)$exe|\1/bin/true|" "$tmp/$name"
fi
if ! out=$(systemd-analyze verify --man=no --generators=no "$tmp/$name" 2>&1) || [[ -n $out ]]; then
  printf '%s\n' "$out" >&2
  fail "systemd-analyze verify reported problems"
fi

rc=0
out=$(systemd-analyze security --offline=true --threshold="$threshold" "$unit" 2>&1) || rc=$?
line=$(grep -o 'Overall exposure level for [^:]*: [0-9]*\.[0-9]*' <<<"$out" || true)
[[ -n $line ]] || { printf '%s\n' "$out" >&2; fail "no exposure line from systemd-analyze security"; }
echo "$line"
exposure=${line##* }
if ((rc != 0)) || ! awk -v e="$exposure" -v t="$threshold" 'BEGIN { exit !(e * 10 <= t) }'; then
  printf '%s\n' "$out" >&2
  fail "exposure $exposure above $((threshold / 10)).$((threshold % 10)) (systemd-analyze exit $rc)"
fi
echo "PASS $name: exposure $exposure <= $((threshold / 10)).$((threshold % 10)), verify clean"
