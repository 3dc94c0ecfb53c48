# Start and stop a k8c server for an integration test (sourced after
# tests/lib.sh's tap_tmpdir).  Sets K8C_PORT and KUBECONFIG_FILE.
start_server() {
	K8C_DATA="$TMP/data"
	"$K8C" server --data-dir "$K8C_DATA" --port 0 "$@" >"$TMP/server.log" 2>&1 &
	K8C_PID=$!
	tap_at_exit "kill -9 $K8C_PID 2>/dev/null"
	i=0
	while [ $i -lt 100 ] && ! grep -q "running:" "$TMP/server.log"; do sleep 0.1; i=$((i + 1)); done
	KUBECONFIG_FILE="$K8C_DATA/kubeconfig"
	K8C_PORT=$(sed -n 's|.*server: http://127.0.0.1:\([0-9]*\).*|\1|p' "$KUBECONFIG_FILE" 2>/dev/null)
	if [ -z "$K8C_PORT" ]; then
		echo "Bail out! k8c server did not start"
		sed 's/^/# /' "$TMP/server.log"
		exit 1
	fi
	export KUBECONFIG_FILE K8C_PORT K8C_PID
}

stop_server() {
	kill -TERM "$K8C_PID" 2>/dev/null
	wait "$K8C_PID"
	ok $? "the server stops cleanly"
}

# curl against the server: api METHOD PATH [curl args...]
api() {
	m=$1; p=$2; shift 2
	curl -s -X "$m" "http://127.0.0.1:$K8C_PORT$p" "$@"
}
