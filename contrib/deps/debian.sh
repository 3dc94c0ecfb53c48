#!/bin/sh
# Installs what k8c needs on Debian bookworm (run as root).
#   contrib/deps/debian.sh          build dependencies
#   contrib/deps/debian.sh --test   build and test dependencies, and kubectl
#                                   1.20 (Debian's kubernetes-client) unpacked
#                                   beside the image's kubectl, in
#                                   /opt/k8c-test/kubectl-1.20/usr/bin/kubectl
set -e
build="build-essential autoconf automake libtool pkg-config
  libyaml-dev libcjson-dev libmicrohttpd-dev libcurl4-openssl-dev uuid-dev
  libsqlite3-dev libgoogle-perftools-dev libarchive-dev"
test="clang libclang-rt-14-dev binutils curl python3 python3-kubernetes etcd-server openssl busybox-static"
# kubernetes-client installs /usr/bin/kubectl, which would replace the image's
# kubectl 1.32: it is only downloaded and unpacked into its own tree.
kubectl120_dir=${K8C_KUBECTL120_DIR:-/opt/k8c-test/kubectl-1.20}
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

if [ "${1:-}" = "--test" ] && ! [ -x "$kubectl120_dir/usr/bin/kubectl" ]; then
	echo "Unpacking kubernetes-client (kubectl 1.20) into $kubectl120_dir"
	dl=$(mktemp -d "${TMPDIR:-/tmp}/k8c-kubectl120.XXXXXX")
	trap 'rm -rf "$dl"' EXIT
	# apt-get download writes into the current directory; let _apt write
	# there (else it downloads unsandboxed, with a warning).
	chmod 755 "$dl"
	chown _apt "$dl" 2>/dev/null || true
	(cd "$dl" && apt-get download -q kubernetes-client)
	rm -rf "$kubectl120_dir.new"
	mkdir -p "$kubectl120_dir.new"
	dpkg -x "$dl"/kubernetes-client_*.deb "$kubectl120_dir.new"
	[ -x "$kubectl120_dir.new/usr/bin/kubectl" ]
	rm -rf "$kubectl120_dir"
	mv "$kubectl120_dir.new" "$kubectl120_dir"
	"$kubectl120_dir/usr/bin/kubectl" version --client --short 2>/dev/null || true
fi
