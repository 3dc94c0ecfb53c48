#!/bin/sh
# Installs what k8c needs on Debian bookworm (run as root).
#   contrib/deps/debian.sh          build dependencies
#   contrib/deps/debian.sh --test   build and test dependencies
set -e
build="build-essential autoconf automake libtool pkg-config
  libyaml-dev libcjson-dev libmicrohttpd-dev libcurl4-openssl-dev uuid-dev
  libsqlite3-dev"
test="clang libclang-rt-14-dev binutils curl python3 python3-kubernetes etcd-server"
pkgs=$build
[ "${1:-}" = "--test" ] && pkgs="$build $test"
if [ "$(id -u)" -ne 0 ]; then
	echo "contrib/deps/debian.sh: run as root (or with sudo) to install packages" >&2
	exit 1
fi
echo "Installing packages: $(echo $pkgs)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $pkgs
