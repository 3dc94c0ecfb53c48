#!/bin/sh
# The node lifecycle and taint eviction controllers with the real kubectl on
# sim nodes: the DefaultTolerationSeconds admission; an agent killed with
# -9 leaves its nodes Ready=Unknown (NodeStatusUnknown) with the
# unreachable NoSchedule and NoExecute taints (the second node of the zone
# 10 s after the first: --node-eviction-rate 0.1); pods that do not
# tolerate that long are deleted (tolerationSeconds 0 at once, 2 after
# 2 s), with DisruptionTarget and kube's events, those tolerating it
# forever stay; a ReplicaSet's pods come back on the other agent's nodes;
# a NoExecute taint set by hand evicts at once; cordon is the
# unschedulable taint; the agent back, the taints go and the pending
# deletions are cancelled; an agent stopped past the grace period and
# continued reports Ready again at once.
#
# The grace period is 15 s: the sim kubelets renew their Leases every 10 s,
# as the kubelet does, so a shorter one would find live nodes late.
. "$top_srcdir/tests/lib.sh"
tap_tmpdir
. "$top_srcdir/tests/integration/server_lib.sh"

K8C_WITH_CONTROLLERS=1 K8C_WITH_SCHEDULER=1 start_server --node-monitor-grace-period 15s
export KUBECONFIG="$KUBECONFIG_FILE"
k() { kubectl "$@"; }

start_agent() { # name
	"$K8C" agent --server "http://127.0.0.1:$K8C_PORT" --runtime sim --sim-nodes 2 \
		--node-name "$1" --sim-cpu 4 --sim-memory 16Gi --sim-pods 50 \
		--data-dir "$TMP/agent-$1" --kubelet-port 0 >>"$TMP/agent-$1.log" 2>&1 &
	eval "AGENT_$1=\$!"
	tap_at_exit "kill -9 $! 2>/dev/null"
}

# wait_for SECONDS CMD... : retry every 0.2 s until it succeeds
wait_for() {
	n=$(($1 * 5)); shift
	i=0
	while [ $i -lt "$n" ]; do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.2; i=$((i + 1))
	done
	return 1
}
gone_or_deleting() { # pod
	ts=$(k get pod "$1" -o jsonpath='{.metadata.deletionTimestamp}' 2>&1) || return 0
	case "$ts" in *NotFound*|*"not found"*) return 0 ;; esac
	[ -n "$ts" ]
}
has_taint() { # node key effect
	k get node "$1" -o jsonpath='{range .spec.taints[*]}{.key}:{.effect}{"\n"}{end}' | grep -qx "$2:$3"
}
no_taints() { # node
	[ -z "$(k get node "$1" -o jsonpath='{.spec.taints}')" ]
}

start_agent lost
start_agent spare
ok $(wait_for 20 sh -c "kubectl get nodes --no-headers | grep -c ' Ready ' | grep -qx 4"; echo $?) "four sim nodes are Ready"
ok $(wait_for 10 no_taints lost-0; echo $?) "a Ready node has no taints"

# --- DefaultTolerationSeconds ----------------------------------------------
k run plain --image=busybox --overrides='{"spec":{"nodeName":"lost-1"}}' >/dev/null
out=$(k get pod plain -o yaml | awk '/^  tolerations:/ { on = 1; print; next } on && /^  [- ] / { print; next } { on = 0 }')
is "$out" "  tolerations:
  - effect: NoExecute
    key: node.kubernetes.io/not-ready
    operator: Exists
    tolerationSeconds: 300
  - effect: NoExecute
    key: node.kubernetes.io/unreachable
    operator: Exists
    tolerationSeconds: 300" "a pod gets Kubernetes' two default tolerations for 300 s"

cat >"$TMP/pods.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: zero}
spec:
  nodeName: lost-0
  tolerations: [{key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 0}]
  containers: [{name: c, image: busybox}]
---
apiVersion: v1
kind: Pod
metadata: {name: short}
spec:
  nodeName: lost-0
  terminationGracePeriodSeconds: 0
  tolerations: [{key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 2}]
  containers: [{name: c, image: busybox}]
---
apiVersion: v1
kind: Pod
metadata: {name: forever}
spec:
  nodeName: lost-0
  tolerations: [{key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute}]
  containers: [{name: c, image: busybox}]
---
apiVersion: v1
kind: Pod
metadata: {name: all}
spec:
  nodeName: spare-1
  tolerations: [{operator: Exists}]
  containers: [{name: c, image: busybox}]
---
apiVersion: v1
kind: Pod
metadata: {name: onspare}
spec:
  nodeName: spare-1
  containers: [{name: c, image: busybox}]
YAML
k apply -f "$TMP/pods.yaml" >/dev/null
out=$(k get pod short -o jsonpath='{range .spec.tolerations[*]}{.key}/{.effect}/{.tolerationSeconds} {end}')
is "$out" "node.kubernetes.io/unreachable/NoExecute/2 node.kubernetes.io/not-ready/NoExecute/300 " \
	"a pod tolerating unreachable keeps its own and gets not-ready appended"
out=$(k get pod all -o jsonpath='{.spec.tolerations}')
is "$out" '[{"operator":"Exists"}]' "a pod tolerating every taint gets none added"

# --- cordon is the unschedulable taint (TaintNodesByCondition) --------------
k cordon spare-0 >/dev/null
ok $(wait_for 10 has_taint spare-0 node.kubernetes.io/unschedulable NoSchedule; echo $?) \
	"cordon: node.kubernetes.io/unschedulable:NoSchedule"
k cordon spare-1 >/dev/null

# a ReplicaSet whose pods go to the lost nodes (the spare ones are cordoned)
cat >"$TMP/rs.yaml" <<'YAML'
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 0
      tolerations: [{key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 1}]
      containers: [{name: c, image: busybox}]
YAML
k apply -f "$TMP/rs.yaml" >/dev/null
rs_nodes() { k get pods -l app=web -o jsonpath='{range .items[?(@.status.phase=="Running")]}{.spec.nodeName}{"\n"}{end}' | sort | tr '\n' ' '; }
ok $(wait_for 20 sh -c "[ \"\$(kubectl get pods -l app=web -o jsonpath='{range .items[?(@.status.phase==\"Running\")]}{.spec.nodeName}{\"\\n\"}{end}' | grep -c '^lost-')\" = 2 ]"; echo $?) \
	"the ReplicaSet's two pods run on the lost nodes"
k uncordon spare-0 spare-1 >/dev/null
ok $(wait_for 10 no_taints spare-0; echo $?) "uncordon: the taint goes"
ok $(wait_for 10 sh -c "kubectl get pods --no-headers | grep -c Running | grep -qx 8"; echo $?) "eight pods are Running"

# --- the agent dies ---------------------------------------------------------
kill -9 "$AGENT_lost"
killed=$(date +%s)
ok $(wait_for 40 sh -c "kubectl get node lost-0 -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}' | grep -qx Unknown"; echo $?) \
	"lost-0 becomes Ready=Unknown"
took=$(($(date +%s) - killed))
ok $([ "$took" -ge 5 ] && [ "$took" -le 30 ]; echo $?) "after the grace period (15 s, the last lease up to 10 s old; took ${took} s)"
out=$(k get node lost-0 -o jsonpath='{range .status.conditions[*]}{.type}={.status} {.reason}: {.message}{"\n"}{end}')
is "$out" "MemoryPressure=Unknown NodeStatusUnknown: Kubelet stopped posting node status.
DiskPressure=Unknown NodeStatusUnknown: Kubelet stopped posting node status.
PIDPressure=Unknown NodeStatusUnknown: Kubelet stopped posting node status.
Ready=Unknown NodeStatusUnknown: Kubelet stopped posting node status." "all four conditions Unknown, as kube"
like "$(k get nodes lost-0 lost-1 --no-headers)" "^lost-0 +NotReady" "kubectl shows NotReady"
ok $(wait_for 5 has_taint lost-0 node.kubernetes.io/unreachable NoSchedule; echo $?) "unreachable:NoSchedule"
ok $(wait_for 25 sh -c "kubectl get node lost-0 lost-1 -o jsonpath='{range .items[*].spec.taints[*]}{.key}:{.effect}{\"\\n\"}{end}' | grep -c unreachable:NoExecute | grep -qx 2"; echo $?) \
	"unreachable:NoExecute on both lost nodes"
t0=$(k get node lost-0 -o jsonpath='{.spec.taints[?(@.effect=="NoExecute")].timeAdded}')
t1=$(k get node lost-1 -o jsonpath='{.spec.taints[?(@.effect=="NoExecute")].timeAdded}')
s0=$(date -d "$t0" +%s) s1=$(date -d "$t1" +%s)
d=$((s0 > s1 ? s0 - s1 : s1 - s0))
ok $([ "$d" -ge 9 ] && [ "$d" -le 12 ]; echo $?) "the second node of the zone 10 s after the first (node-eviction-rate 0.1; $d s)"

# --- taint-based eviction ---------------------------------------------------
ok $(wait_for 5 gone_or_deleting zero; echo $?) "tolerationSeconds 0: deleted at once"
out=$(k get pod zero -o jsonpath='{range .status.conditions[?(@.type=="DisruptionTarget")]}{.status} {.reason}: {.message}{end}' 2>/dev/null)
is "$out" "True DeletionByTaintManager: Taint manager: deleting due to NoExecute taint" "with the DisruptionTarget condition"
[ -n "$out" ] || k get pod zero -o yaml 2>&1 | sed 's/^/# /'
ok $(wait_for 10 gone_or_deleting short; echo $?) "tolerationSeconds 2: deleted"
ev=$(k get events -o jsonpath='{range .items[?(@.reason=="TaintManagerEviction")]}{.involvedObject.name} {.firstTimestamp}{"\n"}{end}')
short_at=$(date -d "$(printf '%s\n' "$ev" | sed -n 's/^short //p' | head -1)" +%s 2>/dev/null || echo 0)
d=$((short_at - s0))
ok $([ "$d" -ge 2 ] && [ "$d" -le 4 ]; echo $?) "2 s after lost-0's NoExecute taint ($d s)"
out=$(k get events -o jsonpath='{range .items[?(@.involvedObject.name=="zero")]}{.type} {.reason} {.source.component}: {.message}{"\n"}{end}' | grep -v kubelet | sort)
is "$out" "Normal TaintManagerEviction taint-eviction-controller: Marking for deletion Pod default/zero
Warning NodeNotReady node-controller: Node is not ready" "the pod's events, as kube's"
out=$(k get events -o jsonpath='{range .items[?(@.involvedObject.kind=="Node")]}{.involvedObject.name} {.type} {.reason} {.source.component}: {.message}{"\n"}{end}' | grep '^lost-0 .*NodeNotReady')
is "$out" "lost-0 Normal NodeNotReady node-controller: Node lost-0 status is now: NodeNotReady" "the node's event"
is "$(k get pod forever -o jsonpath='{.metadata.deletionTimestamp}|{.status.conditions[?(@.type=="Ready")].status}')" "|False" \
	"tolerating forever: stays, marked not ready"
is "$(k get pod plain -o jsonpath='{.metadata.deletionTimestamp}')" "" "the default 300 s: not yet"

ok $(wait_for 30 sh -c "[ \"\$(kubectl get pods -l app=web -o jsonpath='{range .items[?(@.status.phase==\"Running\")]}{.metadata.deletionTimestamp}{.spec.nodeName}{\"\\n\"}{end}' | grep -c '^spare-')\" = 2 ]"; echo $?) \
	"the ReplicaSet's pods are replaced on the spare nodes"
is "$(k get rs web -o jsonpath='{.status.readyReplicas}')" 2 "and the ReplicaSet is ready again"

# --- a NoExecute taint set by hand ------------------------------------------
k taint node spare-1 dedicated=x:NoExecute >/dev/null
ok $(wait_for 5 gone_or_deleting onspare; echo $?) "a pod that does not tolerate a NoExecute taint is deleted at once"
is "$(k get pod all -o jsonpath='{.metadata.deletionTimestamp}')" "" "one tolerating everything stays"
k taint node spare-1 dedicated- >/dev/null

# --- the agent comes back ---------------------------------------------------
start_agent lost
ok $(wait_for 20 no_taints lost-0; echo $?) "the node is back: its taints go"
ok $(wait_for 5 no_taints lost-1; echo $?) "on both nodes"
like "$(k get nodes lost-0 --no-headers)" "^lost-0 +Ready" "Ready again"
ok $(wait_for 10 sh -c "kubectl get events | grep -q 'Cancelling deletion of Pod default/plain'"; echo $?) \
	"the pending deletion of the 300 s pod is cancelled with kube's event"
is "$(k get pod forever plain -o jsonpath='{range .items[*]}{.status.phase} {end}')" "Running Running " "the pods that stayed run on"
ok $(wait_for 10 sh -c "! kubectl get pod zero"; echo $?) "the evicted pods are gone once their kubelet is back"

# --- an agent that stalls (SIGSTOP) longer than the grace period ------------
kill -STOP "$AGENT_spare"
ok $(wait_for 40 sh -c "kubectl get node spare-0 -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}' | grep -qx Unknown"; echo $?) \
	"a stalled agent's node goes Unknown"
kill -CONT "$AGENT_spare"
ok $(wait_for 20 sh -c "kubectl get node spare-0 -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}' | grep -qx True"; echo $?) \
	"once it goes on, its kubelet posts Ready again at its next renewal (not 5 minutes later)"
ok $(wait_for 10 no_taints spare-0; echo $?) "and the taints go"

stop_server
tap_done
