#!/bin/sh
# Several `k8c scheduler` processes elect one leader through the Lease
# kube-system/kube-scheduler: only the leader schedules; when it stops it
# gives the Lease up and another takes over at once; --leader-elect=false
# schedules without a Lease.
. "$top_srcdir/tests/lib.sh"
tap_tmpdir
. "$top_srcdir/tests/integration/server_lib.sh"

start_server # without the embedded scheduler
export KUBECONFIG="$KUBECONFIG_FILE"
k() { kubectl "$@"; }
wait_for() { # CMD...: retry for up to 30 s
	i=0
	while [ $i -lt 300 ]; do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
bound() { [ -n "$(k get pod "$1" -o jsonpath='{.spec.nodeName}')" ]; }
"$K8C" agent --server "http://127.0.0.1:$K8C_PORT" --runtime sim --node-name ha \
	--data-dir "$TMP/agent" --kubelet-port 0 >"$TMP/agent.log" 2>&1 &
tap_at_exit "kill -9 $! 2>/dev/null"
ok $(wait_for sh -c "kubectl get node ha --no-headers | grep -q ' Ready '"; echo $?) "a node is Ready"

sched() { # NAME [FLAGS]
	name=$1; shift
	"$K8C" scheduler --server "http://127.0.0.1:$K8C_PORT" --data-dir "$TMP/$name" "$@" >"$TMP/$name.log" 2>&1 &
	eval "${name}_pid=$!"
	tap_at_exit "kill -9 $! 2>/dev/null"
}
holder() { k get lease -n kube-system kube-scheduler -o jsonpath='{.spec.holderIdentity}'; }
sched a
ok $(wait_for grep -q "is the leader" "$TMP/a.log"; echo $?) "the first scheduler takes the Lease"
sched b
ok $(wait_for grep -q "waiting to lead" "$TMP/b.log"; echo $?) "the second one waits"
like "$(holder)" "_" "kubectl shows the holder ($(holder))"
is "$(grep -c 'scheduler/a\|is the leader' "$TMP/b.log")" 0 "the second one does not lead"
k run one --image=busybox >/dev/null
ok $(wait_for bound one; echo $?) "a pod is scheduled (by the leader)"
like "$(k get events --field-selector involvedObject.name=one,reason=Scheduled -o jsonpath='{.items[*].message}')" \
	"Successfully assigned default/one to ha" "once"
first=$(holder)
kill -TERM "$a_pid"; wait "$a_pid"
is "$?" 0 "the leader stops cleanly"
ok $(wait_for grep -q "is the leader" "$TMP/b.log"; echo $?) "the other one takes over"
ok $([ "$(holder)" != "$first" ]; echo $?) "the Lease names the new holder"
like "$(k get lease -n kube-system kube-scheduler -o jsonpath='{.spec.leaseTransitions}')" "^[1-9]" "leaseTransitions counts the change"
k run two --image=busybox >/dev/null
ok $(wait_for bound two; echo $?) "the new leader schedules"
kill -TERM "$b_pid"; wait "$b_pid"
is "$?" 0 "it stops cleanly too"
is "$(holder)" "" "and gives the Lease up"

# kill -9 of a leader: the next one waits the lease duration (15 s) out
sched c
ok $(wait_for grep -q "is the leader" "$TMP/c.log"; echo $?) "a third scheduler leads"
kill -9 "$c_pid"; wait "$c_pid" 2>/dev/null
sched d
ok $(wait_for grep -q "waiting to lead" "$TMP/d.log"; echo $?) "after a kill -9 the next one waits"
ok $(wait_for grep -q "has not renewed" "$TMP/d.log"; echo $?) "then takes the Lease its holder stopped renewing"
kill -TERM "$d_pid"; wait "$d_pid"

# without election
sched e --leader-elect=false
ok $(wait_for grep -q "scheduler running" "$TMP/e.log"; echo $?) "--leader-elect=false starts at once"
k run three --image=busybox >/dev/null
ok $(wait_for bound three; echo $?) "and schedules without the Lease"
unlike "$(cat "$TMP/e.log")" "waiting to lead" "no election"
kill -TERM "$e_pid"; wait "$e_pid"
stop_server
tap_done
