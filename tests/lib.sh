# Shell helpers for TAP tests (sourced).  Every test gets a private
# temporary directory, removed on exit even when the test fails.
tap_n=0
tap_failed=0

tap_tmpdir() {
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/k8c-test.XXXXXX")
	export TMP HOME="$TMP/home"
	mkdir -p "$HOME"
	trap 'tap_cleanup' EXIT
}

# Tests may append commands to run at exit (stop servers, ...).
tap_cleanup_cmds=""
tap_at_exit() { tap_cleanup_cmds="$tap_cleanup_cmds
$1"; }
tap_cleanup() {
	eval "$tap_cleanup_cmds"
	if [ -n "$KEEP_TMP" ]; then # KEEP_TMP=1 make check ...: keep logs and data
		echo "# kept $TMP"
		return
	fi
	rm -rf "$TMP"
}

ok() { # status description
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}

is() { # got want description
	if [ "$1" = "$2" ]; then ok 0 "$3"; else ok 1 "$3"; echo "#   got '$1', want '$2'"; fi
}

like() { # text extended-regex description
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then ok 0 "$3"; else
		ok 1 "$3"; echo "#   no line matches /$2/ in:"; printf '%s\n' "$1" | sed 's/^/#     /' | head -n 20; fi
}

unlike() { # text extended-regex description
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		ok 1 "$3"; echo "#   a line matches /$2/"; else ok 0 "$3"; fi
}

tap_done() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
	exit $?
}
