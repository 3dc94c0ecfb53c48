#!/bin/sh
# `k8c controller-manager` on its own against a k8c server: --controllers
# chooses the controllers (kube-controller-manager's syntax and names),
# two copies elect one leader through the Lease
# kube-system/kube-controller-manager and the other takes over when the
# leader stops; a controller that fails on one key retries that key with
# growing delays while its other keys and the other controllers keep
# working (tests/abi/flaky_controller.c, loaded from --plugin-dir).
. "$top_srcdir/tests/lib.sh"
tap_tmpdir
. "$top_srcdir/tests/integration/server_lib.sh"

start_server
export KUBECONFIG="$KUBECONFIG_FILE"
k() { kubectl "$@"; }
URL="http://127.0.0.1:$K8C_PORT"
mkdir -p "$TMP/fixtures"
cp "$top_builddir/tests/abi/.libs/flaky_controller.so" "$TMP/fixtures/"

wait_for() { # CMD...: retry for up to 30 s
	i=0
	while [ $i -lt 300 ]; do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
start_cm() { # NAME ARGS...
	name=$1; shift
	"$K8C" controller-manager --server "$URL" --data-dir "$TMP/$name" \
		--plugin-dir "$TMP/fixtures" "$@" >"$TMP/$name.log" 2>&1 &
	eval "${name}_PID=$!"
	tap_at_exit "kill -9 $! 2>/dev/null"
}
holder() { k -n kube-system get lease kube-controller-manager -o jsonpath='{.spec.holderIdentity}'; }

out=$("$K8C" controller-manager --server "$URL" --data-dir "$TMP/x" --controllers 'nosuch' 2>&1 &
	p=$!; sleep 1; kill $p; wait $p)
like "$out" 'no controller plugin of that name is loaded' "an unknown --controllers name is warned about"

start_cm cm1 --controllers '*,flaky'
wait_for grep -q "leading:" "$TMP/cm1.log"
ok $? "the first controller manager leads"
start_cm cm2 --controllers 'flaky,*'
wait_for grep -q "waiting to lead" "$TMP/cm2.log"
ok $? "the second waits"
like "$(holder)" "." "the Lease names the leader"
grep -q "controller flaky not selected" "$TMP/cm1.log"
ok $((! $?)) "a controller named in --controllers runs although off by default"

# the ReplicaSet controller of the leader works
cat <<'YAML' | k apply -f - >/dev/null
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx}]}
YAML
wait_for sh -c "[ \$(kubectl get pods -l app=web --no-headers | wc -l) -eq 2 ]"
ok $? "the leader's ReplicaSet controller creates the pods"

# one failing key backs off; the other keys go on
k create configmap flaky-attempts >/dev/null
k create configmap fail-1 >/dev/null && k label configmap fail-1 flaky=fail >/dev/null
k create configmap ok-1 >/dev/null && k label configmap ok-1 flaky=ok >/dev/null
wait_for sh -c "kubectl get configmap ok-1 -o jsonpath='{.metadata.annotations.reconciled}' | grep -qx yes"
ok $? "a key that succeeds is reconciled"
sleep 3
a1=$(k get configmap flaky-attempts -o jsonpath='{.data.fail-1}')
ok $([ "${a1:-0}" -ge 5 ] && [ "${a1:-0}" -le 14 ]; echo $?) "a failing key is retried with exponential backoff ($a1 attempts in 3 s)"
k create configmap ok-2 >/dev/null && k label configmap ok-2 flaky=ok >/dev/null
wait_for sh -c "kubectl get configmap ok-2 -o jsonpath='{.metadata.annotations.reconciled}' | grep -qx yes"
ok $? "meanwhile other keys are reconciled at once"
grep -q "configmap default/fail-1 is meant to fail" "$TMP/cm1.log"
ok $? "the failure is logged with the plugin's message"
sleep 2
a2=$(k get configmap flaky-attempts -o jsonpath='{.data.fail-1}')
ok $([ "${a2:-0}" -le $((a1 + 2)) ]; echo $?) "the delays keep growing ($a1 then $a2 attempts)"

# the leader stops: the other takes over at once (the Lease was released)
first=$(holder)
kill -TERM "$cm1_PID"
wait "$cm1_PID"
ok $? "the leader stops cleanly on SIGTERM"
wait_for grep -q "leading:" "$TMP/cm2.log"
ok $? "the second controller manager takes over"
like "$(holder)" "." "the Lease has a new holder"
[ "$(holder)" != "$first" ]
ok $? "not the old one"
k scale rs web --replicas=3 >/dev/null
wait_for sh -c "[ \$(kubectl get pods -l app=web --no-headers | wc -l) -eq 3 ]"
ok $? "the new leader's controllers work"
k create configmap ok-3 >/dev/null && k label configmap ok-3 flaky=ok >/dev/null
wait_for sh -c "kubectl get configmap ok-3 -o jsonpath='{.metadata.annotations.reconciled}' | grep -qx yes"
ok $? "its flaky controller too"

# --controllers '-replicaset': that controller does not run
kill -TERM "$cm2_PID"; wait "$cm2_PID"
start_cm cm3 --controllers='*,-replicaset' --leader-elect=false
wait_for grep -q "controller manager running" "$TMP/cm3.log"
grep -q "controller replicaset not selected" "$TMP/cm3.log"
ok $? "--controllers '*,-replicaset' leaves the ReplicaSet controller out"
k scale rs web --replicas=1 >/dev/null
sleep 2
is "$(k get pods -l app=web --no-headers | wc -l)" 3 "so nothing scales the set down"
kill -TERM "$cm3_PID"; wait "$cm3_PID"
ok $? "it stops cleanly"

for f in cm1 cm2 cm3; do
	is "$(grep -c 'AddressSanitizer\|runtime error\| ERROR ' "$TMP/$f.log")" 0 "$f logged no error"
done
stop_server
tap_done
