#!/bin/sh
# `k8c plugins` loads the good ABI fixture and refuses each broken one with
# its own reason, one log line per refused file, without crashing.
. "$top_srcdir/tests/lib.sh"
tap_tmpdir
# the plugin ABI this tree defines ("1.1") and the next minor
major=$(sed -n 's/^#define K8C_ABI_MAJOR //p' "$top_srcdir/include/k8c/plugin.h")
minor=$(sed -n 's/^#define K8C_ABI_MINOR //p' "$top_srcdir/include/k8c/plugin.h")

libs="$top_builddir/tests/abi/.libs"
dir="$TMP/plugins"
mkdir -p "$dir" "$TMP/empty"
for f in good_sched good_sched_dup bad_major bad_minor bad_kind bad_size bad_name \
	bad_pointer no_init no_ops small_ops store_missing_op no_symbol func_symbol \
	tiny_symbol unresolved; do
	cp "$libs/$f.so" "$dir/$f.so"
done
# Files that are not plugins at all.
printf 'this is not an ELF file\n' > "$dir/not_elf.so"
: > "$dir/empty.so"
head -c 700 "$libs/good_sched.so" > "$dir/truncated.so"
mkdir "$dir/directory.so"
ln -s /nonexistent/plugin.so "$dir/dangling.so"
printf 'ignored: not *.so\n' > "$dir/README"

K8C_BUILTIN_PLUGIN_DIR="$TMP/empty" "$K8C" plugins --plugin-dir "$dir" \
	>"$TMP/out" 2>"$TMP/err"
status=$?
is "$status" 1 "k8c plugins exits 1 (not a crash) when files are refused"
sed 's/^/# stdout: /' "$TMP/out"
sed 's/^/# stderr: /' "$TMP/err"

like "$(cat "$TMP/out")" "scheduler +abi-good +1\.0 +$major\.$minor +$dir/good_sched.so" "the good plugin is listed with kind, name, version, ABI and path"

check_refused() { # file reason
	like "$(cat "$TMP/out")" "^$dir/$1: \\[$2\\] " "$1 is refused: $2"
	n=$(grep -c "refused $dir/$1: " "$TMP/err")
	is "$n" 1 "$1: exactly one log line names the path and the reason"
}
check_refused good_sched_dup.so duplicate
check_refused bad_major.so abi-major
check_refused bad_minor.so abi-minor
check_refused bad_kind.so kind
check_refused bad_size.so struct-size
check_refused bad_name.so name
check_refused bad_pointer.so bad-pointer
check_refused no_init.so missing-ops
check_refused no_ops.so missing-ops
check_refused small_ops.so ops-size
check_refused store_missing_op.so missing-ops
check_refused no_symbol.so no-symbol
check_refused func_symbol.so not-data
check_refused tiny_symbol.so not-data
check_refused unresolved.so not-loadable
check_refused not_elf.so not-loadable
check_refused empty.so not-loadable
check_refused truncated.so not-loadable
check_refused directory.so not-loadable
check_refused dangling.so not-loadable
like "$(cat "$TMP/out")" "missing required operation store.revision" "the missing store operation is named"
like "$(cat "$TMP/out")" "ABI $major\.$((minor + 1)) but the core provides $major\.$minor" "the minor refusal says which versions"
like "$(cat "$TMP/err")" "k8c_abi_test_no_such_function" "the unresolved symbol is named"
unlike "$(cat "$TMP/out") $(cat "$TMP/err")" "README" "files not named *.so are ignored"

# The same directory given twice is scanned once: no spurious duplicates.
K8C_BUILTIN_PLUGIN_DIR="$TMP/empty" "$K8C" plugins --plugin-dir "$dir" --plugin-dir "$dir/." \
	>"$TMP/out2" 2>&1
is "$(grep -Ec '^scheduler +abi-good' "$TMP/out2")" 1 "a directory named twice is scanned once: one plugin row"
is "$(grep -c '\[duplicate\]' "$TMP/out2")" 1 "and one duplicate refusal, not two"

# A missing --plugin-dir is a usage error that says which directory.
K8C_BUILTIN_PLUGIN_DIR="$TMP/empty" "$K8C" plugins --plugin-dir "$TMP/nope" >"$TMP/out3" 2>&1
is "$?" 2 "a missing --plugin-dir exits 2"
like "$(cat "$TMP/out3")" "$TMP/nope" "the error names the missing directory"

# Only good plugins: exit 0.
mkdir "$TMP/only-good"
cp "$libs/good_sched.so" "$TMP/only-good/"
K8C_BUILTIN_PLUGIN_DIR="$TMP/empty" "$K8C" plugins --plugin-dir "$TMP/only-good" >"$TMP/out4" 2>&1
is "$?" 0 "k8c plugins exits 0 when nothing is refused"
tap_done
