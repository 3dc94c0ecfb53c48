# Start and stop a k8c server for an integration test (sourced after
# tests/lib.sh's tap_tmpdir).  Sets K8C_PORT and KUBECONFIG_FILE.
#
# With K8C_TEST_DATASTORE=etcd (the tests/integration/*.etcd runs), the
# server keeps its state in a real etcd of its own, started on free
# loopback ports under $TMP; K8C_STORE_ARGS carries the --datastore-endpoint
# for servers a test starts itself.

# Start a single-member etcd; sets ETCD_ENDPOINT and ETCD_PID.
start_etcd() {
	set -- $(python3 -c 'import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
	etcd_client=$1 etcd_peer=$2
	ETCD_ENDPOINT="http://127.0.0.1:$etcd_client"
	/usr/bin/etcd --name t --data-dir "$TMP/etcd" \
		--listen-client-urls "$ETCD_ENDPOINT" --advertise-client-urls "$ETCD_ENDPOINT" \
		--listen-peer-urls "http://127.0.0.1:$etcd_peer" \
		--initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
		--initial-cluster "t=http://127.0.0.1:$etcd_peer" \
		--logger zap --log-level warn >"$TMP/etcd.log" 2>&1 &
	ETCD_PID=$!
	tap_at_exit "kill -9 $ETCD_PID 2>/dev/null"
	i=0
	while [ $i -lt 300 ] && ! curl -s "$ETCD_ENDPOINT/health" 2>/dev/null | grep -q '"true"'; do
		sleep 0.1; i=$((i + 1))
	done
	if [ $i -ge 300 ]; then
		echo "Bail out! etcd did not start"
		sed 's/^/# /' "$TMP/etcd.log"
		exit 1
	fi
	export ETCD_ENDPOINT ETCD_PID
}

K8C_STORE_ARGS=
if [ "${K8C_TEST_DATASTORE:-sqlite}" = etcd ]; then
	if ! [ -x /usr/bin/etcd ]; then
		echo "1..0 # SKIP /usr/bin/etcd is not installed (Debian's etcd-server)"
		exit 0
	fi
	start_etcd
	K8C_STORE_ARGS="--datastore-endpoint $ETCD_ENDPOINT"
fi

# The API tests run without the embedded agent, scheduler and controller
# manager (K8C_WITH_AGENT=1, K8C_WITH_SCHEDULER=1, K8C_WITH_CONTROLLERS=1
# keep them).
start_server() {
	K8C_DATA="$TMP/data"
	agent_args=--disable-agent
	[ -n "$K8C_WITH_AGENT" ] && agent_args=
	[ -z "$K8C_WITH_SCHEDULER" ] && agent_args="$agent_args --disable-scheduler"
	[ -z "$K8C_WITH_CONTROLLERS" ] && agent_args="$agent_args --disable-controller-manager"
	# shellcheck disable=SC2086
	"$K8C" server --data-dir "$K8C_DATA" --port 0 $K8C_STORE_ARGS $agent_args "$@" >"$TMP/server.log" 2>&1 &
	K8C_PID=$!
	tap_at_exit "kill -9 $K8C_PID 2>/dev/null"
	i=0
	while [ $i -lt 100 ] && ! grep -q "running:" "$TMP/server.log" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
	KUBECONFIG_FILE="$K8C_DATA/kubeconfig"
	K8C_PORT=$(sed -n 's|.*server: http://127.0.0.1:\([0-9]*\).*|\1|p' "$KUBECONFIG_FILE" 2>/dev/null)
	if [ -z "$K8C_PORT" ]; then
		echo "Bail out! k8c server did not start"
		sed 's/^/# /' "$TMP/server.log"
		exit 1
	fi
	# (not a TAP line: some tests print their own plan)
	if [ -n "$K8C_STORE_ARGS" ] &&
		! grep -q "store/etcd: connected to etcd at $ETCD_ENDPOINT" "$TMP/server.log"; then
		echo "Bail out! the server does not keep its state in etcd ($ETCD_ENDPOINT)"
		sed 's/^/# /' "$TMP/server.log"
		exit 1
	fi
	export KUBECONFIG_FILE K8C_PORT K8C_PID
}

stop_server() {
	kill -TERM "$K8C_PID" 2>/dev/null
	wait "$K8C_PID"
	stop_status=$?
	ok $stop_status "the server stops cleanly"
	[ $stop_status -eq 0 ] || tail -n 60 "$TMP/server.log" | sed 's/^/# /'
}

# curl against the server: api METHOD PATH [curl args...]
api() {
	m=$1; p=$2; shift 2
	curl -s -X "$m" "http://127.0.0.1:$K8C_PORT$p" "$@"
}
