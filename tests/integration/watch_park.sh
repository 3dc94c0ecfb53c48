#!/bin/sh
# The event-loop front end: idle watches are parked (no thread each), wake
# on events, end on timeout and when their client hangs up; a request that
# waits does not hold its loop thread (watch_park.py).
. "$top_srcdir/tests/lib.sh"
tap_tmpdir
. "$top_srcdir/tests/integration/server_lib.sh"

start_server --disable-agent --disable-scheduler --disable-controller-manager \
	--disable-cloud-controller
python3 "$top_srcdir/tests/integration/watch_park.py" | tee "$TMP/py.tap" | grep -v '^1\.\.'
n=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$TMP/py.tap")
[ -n "$n" ] || n=0
tap_n=$n
stop_server
tap_done
