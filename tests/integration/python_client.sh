#!/bin/sh
# Debian's python3-kubernetes against a real `k8c server` (TAP from the
# Python script).
. "$top_srcdir/tests/lib.sh"
tap_tmpdir
. "$top_srcdir/tests/integration/server_lib.sh"

if ! /usr/bin/python3 -c 'import kubernetes' 2>/dev/null; then
	echo "1..0 # SKIP python3-kubernetes is not installed (contrib/deps/debian.sh --test)"
	exit 0
fi
start_server
/usr/bin/python3 "$top_srcdir/tests/integration/python_client.py" "$KUBECONFIG_FILE"
status=$?
kill -TERM "$K8C_PID" 2>/dev/null
wait "$K8C_PID"
exit $status
