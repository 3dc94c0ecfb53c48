#!/bin/sh
# Build a busybox root filesystem tarball from Debian's busybox-static, to
# import as the busybox image:
#   sh contrib/images/busybox.sh busybox.tar
#   k8c image import busybox:latest busybox.tar
# Needs no root: the applet links are made from `busybox --list`.
set -e
out=${1:?usage: busybox.sh OUT.tar}
bb=${BUSYBOX:-/bin/busybox}
if ! [ -x "$bb" ] || ! "$bb" --list >/dev/null 2>&1; then
	echo "busybox.sh: $bb not found: apt-get install busybox-static" >&2
	exit 1
fi
case $(file -b "$bb" 2>/dev/null) in
*dynamically*) echo "busybox.sh: $bb is dynamically linked: install busybox-static" >&2; exit 1 ;;
esac
root=$(mktemp -d "${TMPDIR:-/tmp}/k8c-busybox.XXXXXX")
chmod 755 "$root" # the mode of the image's /
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/proc" "$root/dev" "$root/sys" \
	"$root/root" "$root/var" "$root/home"
chmod 1777 "$root/tmp"
cp "$bb" "$root/bin/busybox"
for applet in $("$bb" --list); do
	[ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
tar --numeric-owner --owner=0 --group=0 -C "$root" -cf "$out.tmp" .
mv "$out.tmp" "$out"
echo "wrote $out ($(du -k "$out" | cut -f1) KB): k8c image import busybox:latest $out"
