#!/bin/sh
# The event-loop front end: idle watches are parked (no thread each), wake
# on events, end on timeout and when their client hangs up; a request that
# waits does not hold its loop thread (watch_park.py).
. "$top_srcdir/tests/lib.sh"
tap_tmpdir
. "$top_srcdir/tests/integration/server_lib.sh"

start_server --log-level debug --disable-agent --disable-scheduler --disable-controller-manager \
	--disable-cloud-controller
python3 "$top_srcdir/tests/integration/watch_park.py" | tee "$TMP/py.tap" | grep -v '^1\.\.'
n=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$TMP/py.tap")
[ -n "$n" ] || n=0
tap_n=$n

# SIGTERM while requests wait (a resourceVersion the store has not reached,
# up to 3 s) and a watch is parked: the waits finish, the watch ends, the
# server stops cleanly.
pids=
for i in 1 2 3 4; do
	curl -s -o /dev/null -w '%{http_code}' \
		"http://127.0.0.1:$K8C_PORT/api/v1/namespaces/default/configmaps?resourceVersion=999999999&resourceVersionMatch=NotOlderThan" \
		>"$TMP/code$i" &
	pids="$pids $!"
done
curl -s -N -o "$TMP/watch.out" "http://127.0.0.1:$K8C_PORT/api/v1/namespaces/default/configmaps?watch=true" &
watch_pid=$!
sleep 0.5
stop_server
# shellcheck disable=SC2086
wait $pids $watch_pid
is "$(cat "$TMP/code1" "$TMP/code2" "$TMP/code3" "$TMP/code4")" "504504504504" \
	"the requests waiting at SIGTERM got their answers (504 each)"
is "$(grep -c ' ERROR ' "$TMP/server.log")" 0 "the server logged no error"
tap_done
