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
  usr/share/doc/sekisho/examples/sekisho-recv.example.toml \
  usr/share/man/man8/sekishod.8.gz usr/share/man/man8/sekishoctl.8.gz \
  usr/share/man/man8/sekisho-send.8.gz usr/share/man/man8/sekisho-recv.8.gz \
  usr/share/man/man5/sekishod.conf.5.gz \
  usr/share/bash-completion/completions/sekishoctl; do
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
# Man pages are compressed roff that man can render; the completion is valid bash and
# registers itself for sekishoctl.
for page in "$dest"/usr/share/man/man*/*.gz; do
  gzip -t "$page" || { echo "FAIL: $page is not a valid gzip file"; exit 1; }
  [[ $'\n'$(zcat "$page") == *$'\n.TH '* ]] || { echo "FAIL: $page has no .TH line"; exit 1; }
  if command -v man >/dev/null; then
    [[ $(MANWIDTH=80 man -l "$page" 2>/dev/null) == *'SEE ALSO'* ]] ||
      { echo "FAIL: man -l $page does not render"; exit 1; }
  fi
done
bash -c 'source "$1" && complete -p sekishoctl' _ \
  "$dest/usr/share/bash-completion/completions/sekishoctl" >/dev/null ||
  { echo "FAIL: the bash completion does not register for sekishoctl"; exit 1; }
# Test simulators are not part of an installation.
[[ ! -e "$dest/usr/bin/sekisho-sim" ]] || { echo "FAIL: sekisho-sim installed"; exit 1; }
"$dest/usr/bin/sekishod" --version
"$dest/usr/bin/sekishod" -c "$dest/usr/share/doc/sekisho/examples/sekishod.example.toml" --check-config 2>/dev/null
echo "PASS: install layout"
