#!/bin/sh
# One slow or stalled watcher never stalls writes or other watchers.
. "$top_srcdir/tests/lib.sh"
tap_tmpdir
. "$top_srcdir/tests/integration/server_lib.sh"
start_server --disable-agent --disable-scheduler --disable-controller-manager --disable-cloud-controller
/usr/bin/python3 "$top_srcdir/tests/integration/slow_watcher.py" "$K8C_PORT"
status=$?
kill -TERM "$K8C_PID" 2>/dev/null
wait "$K8C_PID"
exit $status
