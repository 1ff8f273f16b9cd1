#!/usr/bin/env bash
# Usage: check-package.sh BUILD_DIR
# Builds the Debian package with cpack in BUILD_DIR (or takes the one `make package`
# left there when it is newer than everything it packs) and checks its contents and
# control fields. Then, as root and only when no package named sekisho is on the
# machine, installs it with apt-get (offline: its dependencies are the build's
# libraries), checks that the programs, the man pages and the completion work, and
# purges it again, also on failure, removing the users and directories its postinst
# made that were not there before.
set -euo pipefail
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
cache="$build/CMakeCache.txt"
[[ -f $cache ]] || { echo "FAIL: $build is not a configured build directory"; exit 1; }
src=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$cache")
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$cache")
arch=$(dpkg --print-architecture)
deb="$build/sekisho_${version}_${arch}.deb"
work=$(mktemp -d)
installed_here=false

fail() {
  echo "FAIL: $*"
  exit 1
}

# --- The package ----------------------------------------------------------------------
stale=yes
if [[ -f $deb ]]; then
  stale=$(find "$build/bin" "$build/man" "$build/CPackConfig.cmake" "$src/systemd" \
    "$src/config" "$src/scripts/completion" "$src/packaging" "$src/docs/man" \
    -newer "$deb" -print -quit 2>/dev/null || echo yes)
fi
if [[ -n $stale ]]; then
  (cd "$build" && cpack -G DEB >"$work/cpack.log" 2>&1) || {
    cat "$work/cpack.log"
    fail "cpack failed in $build"
  }
fi
[[ -f $deb ]] || fail "no package $deb"
echo "package: $deb"

# --- Control fields ---------------------------------------------------------------------
field() { dpkg-deb -f "$deb" "$1"; }
[[ $(field Package) == sekisho ]] || fail "Package is '$(field Package)', want sekisho"
[[ $(field Version) == "$version" ]] || fail "Version is '$(field Version)', want $version"
[[ $(field Architecture) == "$arch" ]] || fail "Architecture is '$(field Architecture)'"
[[ $(field Maintainer) == "Sekisho project" ]] || fail "Maintainer is '$(field Maintainer)'"
depends=$(field Depends)
for lib in libc6 libssl3 libsystemd0 libsqlite3-0; do
  [[ $depends == *"$lib"* ]] || fail "Depends lacks $lib (dpkg-shlibdeps?): $depends"
done
[[ $(field Recommends) == *clamav-daemon* ]] || fail "Recommends lacks clamav-daemon"
for script in postinst prerm postrm; do
  dpkg-deb -I "$deb" "$script" >/dev/null 2>&1 || fail "no $script maintainer script"
done
# Never enabled or started by the package.
if grep -Eq 'systemctl +(enable|start|restart)|deb-systemd' <(dpkg-deb -I "$deb" postinst); then
  fail "postinst enables or starts a service"
fi

# --- Contents ---------------------------------------------------------------------------
dpkg-deb -c "$deb" >"$work/listing"
awk '{ print $6 }' "$work/listing" | sed 's|^\./|/|; s|/$||' >"$work/paths"
missing=0
for f in \
  /usr/bin/sekishod /usr/bin/sekishoctl /usr/bin/sekisho-send /usr/bin/sekisho-recv \
  /usr/libexec/sekisho/sekisho-inspect-worker \
  /usr/lib/systemd/system/sekishod.service /usr/lib/systemd/system/sekisho-recv.service \
  /usr/lib/sysusers.d/sekisho.conf /usr/lib/tmpfiles.d/sekisho.conf \
  /usr/share/man/man8/sekishod.8.gz /usr/share/man/man8/sekishoctl.8.gz \
  /usr/share/man/man8/sekisho-send.8.gz /usr/share/man/man8/sekisho-recv.8.gz \
  /usr/share/man/man5/sekishod.conf.5.gz \
  /usr/share/bash-completion/completions/sekishoctl \
  /usr/share/doc/sekisho/examples/sekishod.example.toml \
  /usr/share/doc/sekisho/examples/sekisho-recv.example.toml; do
  if ! grep -qxF "$f" "$work/paths"; then
    echo "FAIL: not in the package: $f"
    missing=1
  fi
done
((missing == 0)) || exit 1
# Programs are executable and everything belongs to root.
for f in /usr/bin/sekishod /usr/bin/sekishoctl /usr/bin/sekisho-send /usr/bin/sekisho-recv \
  /usr/libexec/sekisho/sekisho-inspect-worker; do
  grep -E "^-rwxr-xr-x root/root .* \.$f\$" "$work/listing" >/dev/null ||
    fail "$f is not an executable owned by root: $(grep -F " .$f" "$work/listing")"
done
not_root=$(awk '$2 != "root/root"' "$work/listing")
[[ -z $not_root ]] || fail "files not owned by root/root: ${not_root:0:300}"
# Nothing but /usr: /etc and /var are the administrator's and the postinst's.
outside=$(grep -v '^/usr' "$work/paths" | grep -vx '/\?\.\?' || true)
[[ -z $outside ]] || fail "files outside /usr: ${outside:0:300}"
# No simulator, test, benchmark or fuzz program; no build leftovers.
if grep -Ei 'sekisho-sim|/tests?/|test_|_test|bench|fuzz|integration_|unit_|oneway_relay|\.a$|\.o$|CMake|\.cmake$' \
  "$work/paths"; then
  fail "test, simulator or build files in the package (above)"
fi
# Man pages are gzip files of roff with the package's version; the binaries run.
mkdir "$work/root"
dpkg-deb -x "$deb" "$work/root"
for page in "$work"/root/usr/share/man/man*/*; do
  gzip -t "$page" || fail "$page is not a valid gzip file"
  zcat "$page" >"$work/page"
  grep -q "^\.TH .*\"Sekisho $version\"" "$work/page" ||
    fail "$(basename "$page"): .TH does not name Sekisho $version"
done
[[ $("$work/root/usr/bin/sekishod" --version) == *" $version" ]] ||
  fail "the packaged sekishod does not report version $version"
bash -n "$work/root/usr/share/bash-completion/completions/sekishoctl" ||
  fail "the completion file is not valid bash"
if [[ $(file "$work/root/usr/bin/sekishod") == *'not stripped'* ]]; then
  fail "the packaged binaries are not stripped"
fi
echo "PASS: package contents ($(grep -c . "$work/paths") entries, Depends: $depends)"

# --- Install, use, purge ----------------------------------------------------------------
if [[ $(id -u) -ne 0 ]]; then
  echo "SKIP: installing the package needs root"
  rm -rf "$work"
  exit 0
fi
status=$(dpkg-query -W -f='${db:Status-Status}' sekisho 2>/dev/null || true)
if [[ -n $status && $status != not-installed ]]; then
  echo "SKIP: a package sekisho is already on this machine ($status); not installing over it"
  rm -rf "$work"
  exit 0
fi

# What the postinst may create, so that exactly that is removed again.
users_before=$(getent passwd sekisho sekisho-recv | cut -d: -f1 | tr '\n' ' ' || true)
groups_before=$(getent group sekisho sekisho-recv | cut -d: -f1 | tr '\n' ' ' || true)
dirs=(/var/lib/sekisho-recv/inbox /var/lib/sekisho-recv /var/lib/sekisho
  /etc/credstore.encrypted /etc/sekisho)
dirs_before=()
for d in "${dirs[@]}"; do [[ -e $d ]] && dirs_before+=("$d"); done

apt_get() {
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -q "$@"
}

cleanup() {
  local rc=$?
  if $installed_here; then
    apt_get purge -y sekisho >"$work/purge.log" 2>&1 || {
      cat "$work/purge.log"
      echo "FAIL: apt-get purge sekisho"
      rc=1
    }
    for d in "${dirs[@]}"; do
      [[ " ${dirs_before[*]} " == *" $d "* ]] && continue
      [[ -d $d ]] && rmdir "$d" 2>/dev/null
    done
    for u in sekisho-recv sekisho; do
      [[ " $users_before " == *" $u "* ]] && continue
      getent passwd "$u" >/dev/null && userdel "$u" 2>/dev/null
    done
    for g in sekisho-recv sekisho; do
      [[ " $groups_before " == *" $g "* ]] && continue
      getent group "$g" >/dev/null && groupdel "$g" 2>/dev/null
    done
    local after
    after=$(dpkg-query -W -f='${db:Status-Status}' sekisho 2>/dev/null || true)
    if [[ -n $after && $after != not-installed ]]; then
      echo "FAIL: sekisho is still installed after the purge"
      rc=1
    fi
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT

cp "$deb" "$work/"
chmod 0755 "$work"
chmod 0644 "$work/$(basename "$deb")"
installed_here=true
apt_get install -y --no-install-recommends "$work/$(basename "$deb")" >"$work/install.log" 2>&1 || {
  cat "$work/install.log"
  fail "apt-get install ./$(basename "$deb")"
}
grep -E '^[0-9]+ upgraded, [0-9]+ newly installed' "$work/install.log" || true

[[ $(sekishod --version) == "sekishod $version" ]] || fail "sekishod --version: $(sekishod --version)"
sekishod -c /usr/share/doc/sekisho/examples/sekishod.example.toml --check-config ||
  fail "sekishod --check-config of the installed example configuration"
sekisho-recv -c /usr/share/doc/sekisho/examples/sekisho-recv.example.toml --check-config ||
  fail "sekisho-recv --check-config of the installed example configuration"
sekishoctl --help >/dev/null || fail "sekishoctl --help"
for page in sekishod sekishoctl sekisho-send sekisho-recv; do
  [[ $(man -w "$page") == /usr/share/man/man8/$page.8.gz ]] || fail "man -w $page: $(man -w "$page" 2>&1)"
done
[[ $(man -w 5 sekishod.conf) == /usr/share/man/man5/sekishod.conf.5.gz ]] ||
  fail "man -w 5 sekishod.conf"
[[ $(MANWIDTH=80 man sekishoctl 2>/dev/null) == *'certs rotate'* ]] || fail "man sekishoctl does not render"
bash -c 'source /usr/share/bash-completion/completions/sekishoctl && complete -p sekishoctl' \
  >/dev/null || fail "the installed completion does not register for sekishoctl"
# The postinst made the users and the directories (systemd-sysusers, systemd-tmpfiles).
getent passwd sekisho >/dev/null || fail "postinst did not create user sekisho"
getent passwd sekisho-recv >/dev/null || fail "postinst did not create user sekisho-recv"
[[ $(stat -c '%a %U %G' /etc/sekisho) == "751 root sekisho" ]] ||
  fail "/etc/sekisho is $(stat -c '%a %U %G' /etc/sekisho), want 751 root sekisho"
[[ $(stat -c '%a %U %G' /var/lib/sekisho) == "700 sekisho sekisho" ]] ||
  fail "/var/lib/sekisho is $(stat -c '%a %U %G' /var/lib/sekisho)"
# Nothing enabled or started.
if compgen -G '/etc/systemd/system/*.wants/sekisho*' >/dev/null; then
  fail "the package enabled a service"
fi
echo "PASS: package installs and works (apt-get install, --version, --check-config, man, completion)"
