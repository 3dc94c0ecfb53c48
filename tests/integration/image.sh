#!/bin/sh
# `k8c image`: the busybox image from contrib/images/busybox.sh imports,
# lists, runs (chroot, as root) and is removed; names match as in
# Kubernetes; hostile or wrong tarballs are refused and leave nothing.
. "$top_srcdir/tests/lib.sh"
tap_tmpdir

if ! [ -x /bin/busybox ]; then
	echo "1..0 # SKIP /bin/busybox missing (Debian's busybox-static)"
	exit 0
fi
D="$TMP/data"
img() { "$K8C" image --data-dir "$D" "$@"; }

sh "$top_srcdir/contrib/images/busybox.sh" "$TMP/bb.tar" >/dev/null
ok $? "contrib/images/busybox.sh builds a busybox rootfs tarball"
out=$(cd "$TMP" && img import busybox bb.tar 2>&1)
ok $? "import busybox (a path relative to the working directory)"
like "$out" "as docker.io/library/busybox:latest" "busybox is docker.io/library/busybox:latest"
like "$(img ls)" "docker.io/library/busybox:latest" "ls lists it"
rootfs=$(ls -d "$D"/images/*/rootfs)
is "$(stat -c %a "$D/images") $(stat -c %a "$rootfs")" "700 755" \
	"the store is private (setuid files, devices), an image's / is 755"
ok "$([ -x "$rootfs/bin/busybox" ] && [ -L "$rootfs/bin/sh" ]; echo $?)" "the rootfs has bin/busybox and the applet links"
if [ "$(id -u)" -eq 0 ]; then
	is "$(chroot "$rootfs" /bin/sh -c 'echo hello from $(basename $0)' 2>&1)" "hello from sh" \
		"a shell runs inside the unpacked rootfs"
else
	ok 0 "# SKIP chroot needs root"
fi
first_id=$(basename "$(dirname "$rootfs")")

gzip -c "$TMP/bb.tar" >"$TMP/bb.tar.gz"
img import registry.local:5000/team/box:v1 "$TMP/bb.tar.gz" >/dev/null 2>&1
ok $? "a gzip-compressed tarball imports too"
like "$(img ls)" "registry.local:5000/team/box:v1" "names with a registry keep it"

stale=0123456789abcdef0123456789abcdef
mkdir -p "$D/images/$stale/rootfs" "$D/images/$stale.partial/rootfs" "$D/images/fedcba9876543210fedcba9876543210/rootfs"
touch -d '2 hours ago' "$D/images/$stale" "$D/images/$stale.partial"
img import busybox:latest "$TMP/bb.tar" >/dev/null 2>&1
ok $? "importing a name again replaces its image"
ok "$([ ! -e "$D/images/$stale" ] && [ ! -e "$D/images/$stale.partial" ] && [ -d "$D/images/fedcba9876543210fedcba9876543210" ]; echo $?)" \
	"leftovers of crashed imports older than an hour are swept, younger ones kept"
rm -rf "$D/images/fedcba9876543210fedcba9876543210"
ok "$([ ! -e "$D/images/$first_id" ]; echo $?)" "and deletes the rootfs no name uses any more"

# bad names
img import Busybox "$TMP/bb.tar" >"$TMP/err" 2>&1
is $? 2 "an upper-case name is a usage error"
like "$(cat "$TMP/err")" "invalid repository" "that says what is wrong"
img import busybox@sha256:0123 "$TMP/bb.tar" >"$TMP/err" 2>&1
is $? 2 "a digest reference is a usage error"
like "$(cat "$TMP/err")" "digest" "that says digests are not supported"

# bad tarballs: each refused with exit 1, nothing left behind
before=$(img ls)
python3 - "$TMP" <<'PY'
import io, sys, tarfile
tmp = sys.argv[1]
def make(name, entries):
    with tarfile.open("%s/%s.tar" % (tmp, name), "w") as t:
        for e in entries:
            info = tarfile.TarInfo(e[0])
            if e[1] == "file":
                data = b"x\n"
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
            elif e[1] == "dir":
                info.type = tarfile.DIRTYPE
                t.addfile(info)
            else:
                info.type = tarfile.SYMTYPE
                info.linkname = e[2]
                t.addfile(info)
make("dotdot", [("ok", "file"), ("../escaped-dotdot", "file")])
make("absolute", [("/tmp/k8c-escaped-absolute", "file")])
make("symlink", [("out", "link", tmp), ("out/escaped-symlink", "file")])
make("docker_save", [("0123abcd/layer.tar", "file"), ("manifest.json", "file")])
make("empty", [])
make("oci", [("oci-layout", "file"), ("blobs/sha256/00", "file")])
PY
printf 'not a tarball\n' >"$TMP/text.tar"
for t in dotdot absolute symlink docker_save oci empty text; do
	img import bad "$TMP/$t.tar" >"$TMP/err.$t" 2>&1
	is $? 1 "a $t tarball is refused: $(head -c 150 "$TMP/err.$t")"
done
like "$(cat "$TMP/err.dotdot")" "outside the image's root filesystem" "'..' entries are named as escaping"
like "$(cat "$TMP/err.docker_save")" "docker save" "docker save output gets a hint"
like "$(cat "$TMP/err.empty")" "no files" "an empty archive says so"
like "$(cat "$TMP/err.text")" "is not a tar archive" "a text file is not a tar archive"
ok "$([ ! -e "$TMP/escaped-dotdot" ] && [ ! -e /tmp/k8c-escaped-absolute ] && [ ! -e "$TMP/escaped-symlink" ]; echo $?)" \
	"no file was written outside"
is "$(img ls)" "$before" "the store is unchanged"
is "$(ls "$D/images" | grep -c partial)" "0" "no half-unpacked image is left"
img import bad "$TMP/missing.tar" >"$TMP/err" 2>&1
is $? 1 "a missing file is refused"

img rm busybox registry.local:5000/team/box:v1 >/dev/null
ok $? "rm removes both names"
is "$(img ls | wc -l)" "1" "ls shows the header only"
is "$(ls "$D/images" | grep -vc 'index.json')" "0" "and the rootfs directories are gone"
img rm busybox >"$TMP/err" 2>&1
is $? 1 "rm of a missing image fails"
like "$(cat "$TMP/err")" "no image docker.io/library/busybox:latest" "naming the image"

# a damaged index is refused, and deletes nothing
mkdir -p "$D/images/keep"
printf '{"images":[{"name":"docker.io/library/x:latest","id":""}]}' >"$D/images/index.json"
img rm x >"$TMP/err" 2>&1
is $? 1 "rm with a damaged index fails"
like "$(cat "$TMP/err")" "is damaged" "saying the index is damaged"
ok "$([ -d "$D/images/keep" ]; echo $?)" "and deletes nothing"
tap_done
