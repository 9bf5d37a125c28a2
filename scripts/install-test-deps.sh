#!/usr/bin/env bash
# Debian packages the test suite talks to for real: a registry server, htpasswd for its Basic
# auth, openssl for the token server's certificate, debootstrap for a real Debian root
# filesystem, and skopeo/umoci to cross-check images; golang-go (`go version -m`, test builds),
# gcc/binutils (an ELF with a cargo-auditable section; the sandbox's compile-exec test copies
# the host's gcc toolchain into an image and compiles in it) and unzip check the binary catalogers;
# rpm (rpmbuild, an rpm database) and db5.3-util (a Berkeley DB rpmdb) check the rpm cataloger;
# clamav and clamav-daemon run `scan --clamav` with signatures the tests write (never freshclam);
# runc, strace, bpftrace, iproute2, iptables and tcpdump run and watch the sandbox (tcpdump proves
# nothing leaves it); xz-utils, bzip2 and lzip make the compressed fixtures the malware rules
# unpack (and are the decoders they unpack with).
# Idempotent; needs root.
set -euo pipefail
PACKAGES=(docker-registry apache2-utils openssl debootstrap skopeo umoci zstd tar ca-certificates ruby
  libdpkg-perl rpm python3-packaging php-cli php-composer-semver maven default-jdk-headless
  golang-go gcc binutils unzip db5.3-util clamav clamav-daemon
  runc strace bpftrace iproute2 iptables tcpdump util-linux xz-utils bzip2 lzip)
if dpkg -s "${PACKAGES[@]}" >/dev/null 2>&1; then
  echo "test dependencies already installed"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${PACKAGES[@]}"
