#!/usr/bin/env bash
# Installs Sekisho's build, test and demo dependencies from Debian 12's packages.
# Idempotent: asks apt-get only for packages that are not yet installed, and runs
# `apt-get update` only when something is missing.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config ccache clang-format
  libboost1.81-dev libboost-json1.81-dev libboost-program-options1.81-dev
  libssl-dev libxml2-dev libxmlsec1-dev libxmlsec1-openssl libsqlite3-dev
  libsystemd-dev libtomlplusplus-dev libarchive-dev libisal-dev libseccomp-dev
  # tests
  catch2 openssl systemd iproute2 procps util-linux xmlsec1 iptables iperf3
  clamav-daemon clamdscan
  # the IPsec test tunnel (tests/support/ipsec_tunnel.cpp): strongSwan's charon with
  # kernel-libipsec (userspace ESP) and swanctl
  charon-systemd strongswan-swanctl libcharon-extra-plugins
  # Debian package (make package: dpkg-shlibdeps needs file) and its test (man -w)
  file man-db
  # fuzzing (libFuzzer comes with clang's runtime)
  clang-14 libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: missing packages: ${missing[*]}" >&2
  echo "install-deps: run as root (or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
