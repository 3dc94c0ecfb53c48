#!/bin/sh
# Replays every seed corpus through its fuzz target (TAP).
n=0; fail=0
for t in yaml_json quantity selector patch decode protobuf image_ref; do
	n=$((n + 1))
	if "$top_builddir/tests/fuzz/${t}_replay" "$top_srcdir/tests/fuzz/corpus/$t" >/dev/null 2>"$top_builddir/tests/fuzz/$t.err"; then
		echo "ok $n - fuzz corpus $t replays cleanly"
	else
		echo "not ok $n - fuzz corpus $t replays cleanly"; sed 's/^/# /' "$top_builddir/tests/fuzz/$t.err"; fail=1
	fi
done
echo "1..$n"
exit $fail
