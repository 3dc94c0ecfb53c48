#!/bin/sh
# Preemption (the default-preemption policy): a pod of a higher
# PriorityClass that fits nowhere evicts the fewest lower-priority pods
# needed on one node, is nominated there and scheduled once they are gone;
# preemptionPolicy Never waits instead; equal priority is never preempted.
. "$top_srcdir/tests/lib.sh"
tap_tmpdir
. "$top_srcdir/tests/integration/server_lib.sh"

K8C_WITH_SCHEDULER=1 start_server --leader-elect=false
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
"$K8C" agent --server "http://127.0.0.1:$K8C_PORT" --runtime sim --node-name pre --sim-cpu 2 \
	--data-dir "$TMP/agent" --kubelet-port 0 >"$TMP/agent.log" 2>&1 &
tap_at_exit "kill -9 $! 2>/dev/null"
ok $(wait_for sh -c "kubectl get node pre --no-headers | grep -q ' Ready '"; echo $?) "a node with 2 cpus is Ready"

k apply -f - >/dev/null <<'YAML'
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high}
value: 1000
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high-never}
value: 1000
preemptionPolicy: Never
YAML
pod() { # NAME CPU [PRIORITYCLASS]
	pc=
	[ -n "$3" ] && pc="priorityClassName: $3, "
	k apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: $1, labels: {app: pre}}
spec: {${pc}terminationGracePeriodSeconds: 0, containers: [{name: c, image: busybox, resources: {requests: {cpu: $2}}}]}
YAML
}
for i in 1 2 3 4; do pod low$i 450m; done
ok $(wait_for sh -c "[ \$(kubectl get pods -l app=pre -o jsonpath='{.items[*].spec.nodeName}' | wc -w) = 4 ]"; echo $?) "four low-priority pods fill the node"

# equal priority: no victims
pod same 1
ok $(wait_for sh -c "kubectl get pod same -o jsonpath='{.status.conditions[?(@.type==\"PodScheduled\")].message}' | grep -q preemption"; echo $?) "a pod of the same priority that does not fit waits"
like "$(k get pod same -o jsonpath='{.status.conditions[?(@.type=="PodScheduled")].message}')" \
	"^0/1 nodes are available: 1 Insufficient cpu\. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod\.$" \
	"no preemption victims found (Kubernetes' message)"
k delete pod same --wait=false >/dev/null

# preemptionPolicy Never
pod polite 1 high-never
ok $(wait_for sh -c "kubectl get pod polite -o jsonpath='{.status.conditions[?(@.type==\"PodScheduled\")].reason}' | grep -qx Unschedulable"; echo $?) "a high-priority pod with preemptionPolicy Never waits"
is "$(k get pods -o name | grep -c low)" 4 "and evicts nobody"
k delete pod polite --wait=false >/dev/null

# a higher priority preempts the fewest pods
pod vip 1 high
ok $(wait_for bound vip; echo $?) "a high-priority pod that did not fit is scheduled"
is "$(k get pod vip -o jsonpath='{.spec.nodeName}')" pre "on the node it preempted"
is "$(k get pods -l app=pre -o name | grep -c low)" 2 "two of the four low-priority pods were evicted (the fewest that make room)"
like "$(k get events --field-selector involvedObject.name=vip -o jsonpath='{.items[*].reason}')" "FailedScheduling.*Scheduled|Scheduled.*FailedScheduling" "it was first refused, then scheduled"
stop_server
tap_done
