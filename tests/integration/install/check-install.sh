#!/usr/bin/env bash
# Usage: check-install.sh BUILD_DIR
# Installs the build into a scratch DESTDIR and checks that everything an
# administrator needs lands where the units and the documentation say.
set -euo pipefail
build=${1:?usage: $0 BUILD_DIR}
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT

DESTDIR="$dest" cmake --install "$build" --prefix /usr >/dev/null

missing=0
for f in \
  usr/bin/sekishod usr/bin/sekishoctl usr/bin/sekisho-send usr/bin/sekisho-recv \
  usr/libexec/sekisho/sekisho-inspect-worker \
  usr/lib/systemd/system/sekishod.service usr/lib/systemd/system/sekisho-recv.service \
  usr/lib/sysusers.d/sekisho.conf usr/lib/tmpfiles.d/sekisho.conf \
  usr/share/doc/sekisho/examples/sekishod.example.toml \
  usr/share/doc/sekisho/examples/sekisho-recv.example.toml; do
  if [[ ! -e "$dest/$f" ]]; then
    echo "FAIL: not installed: /$f"
    missing=1
  fi
done
((missing == 0)) || exit 1

# The installed units must start the installed binaries.
for unit in sekishod sekisho-recv; do
  exe=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$dest/usr/lib/systemd/system/$unit.service")
  [[ -x "$dest$exe" ]] || { echo "FAIL: $unit.service starts $exe, which is not installed"; exit 1; }
done
# Test simulators are not part of an installation.
[[ ! -e "$dest/usr/bin/sekisho-sim" ]] || { echo "FAIL: sekisho-sim installed"; exit 1; }
"$dest/usr/bin/sekishod" --version
"$dest/usr/bin/sekishod" -c "$dest/usr/share/doc/sekisho/examples/sekishod.example.toml" --check-config 2>/dev/null
echo "PASS: install layout"
