#!/bin/sh
# A policy plugin that fails (filter returns an error) or breaks the
# rules (a score out of [0, 100]) makes that pod retry with the error
# logged, reported as SchedulerError and a FailedScheduling event; the
# scheduler keeps scheduling every other pod.  (tests/abi/misbehaving_sched.c)
. "$top_srcdir/tests/lib.sh"
tap_tmpdir
. "$top_srcdir/tests/integration/server_lib.sh"

mkdir -p "$TMP/fixtures"
cp "$top_builddir/tests/abi/.libs/misbehaving_sched.so" "$TMP/fixtures/"
cat >"$TMP/k8c.yaml" <<YAML
plugin-dir: [$TMP/fixtures]
scheduler:
  profiles:
  - scheduler-name: default-scheduler
  - scheduler-name: fragile
    plugins:
      filter: [node-unschedulable, node-resources-fit, misbehaving]
      score: [{name: misbehaving, weight: 1}, {name: node-resources-fit, weight: 1}]
YAML
K8C_WITH_SCHEDULER=1 start_server --config "$TMP/k8c.yaml" --leader-elect=false
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
cond() { k get pod "$1" -o jsonpath='{.status.conditions[?(@.type=="PodScheduled")].reason}:{.status.conditions[?(@.type=="PodScheduled")].message}'; }
"$K8C" agent --server "http://127.0.0.1:$K8C_PORT" --runtime sim --sim-nodes 2 --node-name bad \
	--data-dir "$TMP/agent" --kubelet-port 0 >"$TMP/agent.log" 2>&1 &
tap_at_exit "kill -9 $! 2>/dev/null"
ok $(wait_for sh -c "[ \$(kubectl get nodes --no-headers | grep -c ' Ready ') = 2 ]"; echo $?) "two nodes are Ready"

pod() { # NAME MISBEHAVE
	k apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: $1, annotations: {test.k8c.io/misbehave: "$2"}}
spec: {schedulerName: fragile, containers: [{name: c, image: busybox}]}
YAML
}
pod err filter-error
pod range score-range
pod fine none
ok $(wait_for bound fine; echo $?) "a pod the plugin does not fail on is scheduled"
ok $(wait_for sh -c "kubectl get pod err -o jsonpath='{.status.conditions[?(@.type==\"PodScheduled\")].reason}' | grep -qx SchedulerError"; echo $?) "a filter error: PodScheduled=False, SchedulerError"
like "$(cond err)" "SchedulerError:running Filter plugin misbehaving on node bad-[01]: asked to fail" "with the plugin's error"
ok $(wait_for sh -c "kubectl get pod range -o jsonpath='{.status.conditions[?(@.type==\"PodScheduled\")].reason}' | grep -qx SchedulerError"; echo $?) "a score out of range: SchedulerError"
like "$(cond range)" "plugin misbehaving gave node bad-[01] the score 1000, out of \[0, 100\]" "saying which plugin and score"
like "$(k get events --field-selector involvedObject.name=err,reason=FailedScheduling -o jsonpath='{.items[*].message}')" \
	"asked to fail" "a FailedScheduling event"
ok $(wait_for sh -c "[ \$(grep -c 'pod default/err: running Filter plugin misbehaving' '$TMP/server.log') -ge 3 ]"; echo $?) \
	"the pod is retried (with backoff), the error logged each time"
k run plain --image=busybox >/dev/null
ok $(wait_for bound plain; echo $?) "pods of the default profile keep being scheduled"
is "$(node_of() { :; }; k get pod err -o jsonpath='{.spec.nodeName}')" "" "the failing pod is not bound"
k annotate pod err test.k8c.io/misbehave=none --overwrite >/dev/null
ok $(wait_for bound err; echo $?) "once the plugin stops failing for it, the pod is scheduled"
stop_server
tap_done
