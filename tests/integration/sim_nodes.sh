#!/bin/sh
# `k8c agent --runtime sim --sim-nodes N` against a real k8c server, driven
# by the real kubectl: hollow nodes register with their labels, capacity,
# conditions and Leases; pods bound to them run, exit as their
# sim.k8c.io annotations say, are restarted per restartPolicy with
# CrashLoopBackOff, run init containers first, and are deleted through the
# kubelet's final delete; a restarted agent takes the nodes up again.
. "$top_srcdir/tests/lib.sh"
tap_tmpdir
. "$top_srcdir/tests/integration/server_lib.sh"

start_server --disable-agent
export KUBECONFIG="$KUBECONFIG_FILE"
k() { kubectl "$@"; }

start_agent() {
	"$K8C" agent --server "http://127.0.0.1:$K8C_PORT" --runtime sim --sim-nodes 3 \
		--node-name hollow --sim-cpu 4 --sim-memory 16Gi --sim-pods 50 \
		--data-dir "$TMP/agent" --kubelet-port 0 >>"$TMP/agent.log" 2>&1 &
	AGENT_PID=$!
	tap_at_exit "kill -9 $AGENT_PID 2>/dev/null"
}

# wait_for CMD... : retry for up to 20 s until it succeeds
wait_for() {
	i=0
	while [ $i -lt 200 ]; do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
phase_is() { [ "$(k get pod "$1" -o jsonpath='{.status.phase}')" = "$2" ]; }

out=$("$K8C" agent --runtime sim 2>&1); st=$?
is "$st" 2 "agent without --server is a usage error"
like "$out" "--server URL is required" "and says what is missing"
out=$("$K8C" agent --server "http://127.0.0.1:$K8C_PORT" --runtime nosuch --data-dir "$TMP/x" 2>&1); st=$?
is "$st" 1 "an unknown runtime fails"
like "$out" 'no runtime plugin named "nosuch"' "naming the runtime"

start_agent
ok $(wait_for sh -c "kubectl get nodes --no-headers | grep -c ' Ready ' | grep -qx 3"; echo $?) "three hollow nodes register and are Ready"
out=$(k get node hollow-1 -o jsonpath='{.metadata.labels.kubernetes\.io/hostname} {.metadata.labels.kubernetes\.io/os} {.status.capacity.cpu} {.status.capacity.memory} {.status.allocatable.pods}')
is "$out" "hollow-1 linux 4 16Gi 50" "labels, capacity and allocatable from the --sim flags"
out=$(k get node hollow-2 -o jsonpath='{range .status.conditions[*]}{.type}={.status} {end}')
is "$out" "MemoryPressure=False DiskPressure=False PIDPressure=False Ready=True " "node conditions"
ok $(wait_for sh -c "kubectl get leases -n kube-node-lease --no-headers | grep -c hollow- | grep -qx 3"; echo $?) "each node has a Lease in kube-node-lease"
out=$(k get lease hollow-0 -n kube-node-lease -o jsonpath='{.spec.holderIdentity} {.spec.leaseDurationSeconds} {.metadata.ownerReferences[0].kind}')
is "$out" "hollow-0 40 Node" "the Lease is held by the node and owned by its Node"
r1=$(k get lease hollow-0 -n kube-node-lease -o jsonpath='{.spec.renewTime}')

cat >"$TMP/pods.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: runs}
spec:
  nodeName: hollow-0
  containers: [{name: c, image: busybox, readinessProbe: {exec: {command: ["true"]}, periodSeconds: 1}}]
---
apiVersion: v1
kind: Pod
metadata: {name: done, annotations: {sim.k8c.io/exit-after: "1s"}}
spec:
  nodeName: hollow-1
  restartPolicy: Never
  containers: [{name: c, image: busybox}]
---
apiVersion: v1
kind: Pod
metadata: {name: fails, annotations: {sim.k8c.io/exit-after: "1s", sim.k8c.io/exit-code: "3"}}
spec:
  nodeName: hollow-2
  restartPolicy: Never
  containers: [{name: c, image: busybox}]
---
apiVersion: v1
kind: Pod
metadata: {name: crashes, annotations: {sim.k8c.io/exit-after: "0s", sim.k8c.io/exit-code: "1"}}
spec:
  nodeName: hollow-2
  containers: [{name: c, image: busybox}]
---
apiVersion: v1
kind: Pod
metadata: {name: job, annotations: {sim.k8c.io/exit-after: "1s"}}
spec:
  nodeName: hollow-1
  restartPolicy: OnFailure
  initContainers: [{name: init, image: busybox}]
  containers: [{name: main, image: busybox}]
---
apiVersion: v1
kind: Pod
metadata: {name: elsewhere}
spec:
  nodeName: not-ours
  containers: [{name: c, image: busybox}]
YAML
k apply -f "$TMP/pods.yaml" >/dev/null
ok $(wait_for phase_is runs Running; echo $?) "a pod bound to a hollow node runs"
ok $(wait_for sh -c "kubectl get pod runs -o jsonpath='{.status.containerStatuses[0].ready}' | grep -qx true"; echo $?) "and becomes ready (readiness probe)"
out=$(k get pod runs -o jsonpath='{.status.podIP} {.status.hostIP} {.status.startTime}')
like "$out" '^10\.244\.[0-9]+\.[0-9]+ [0-9.]+ 20[0-9-]+T' "it has a pod IP, a host IP and a start time"
out=$(k get pod runs -o jsonpath='{range .status.conditions[*]}{.type}={.status} {end}')
like "$out" 'Initialized=True .*Ready=True .*ContainersReady=True .*PodScheduled=True' "conditions Initialized, Ready, ContainersReady, PodScheduled"
ok $(wait_for phase_is done Succeeded; echo $?) "exit 0 with restartPolicy Never: Succeeded"
is "$(k get pod done -o jsonpath='{.status.containerStatuses[0].state.terminated.reason} {.status.containerStatuses[0].state.terminated.exitCode}')" "Completed 0" "terminated Completed 0"
ok $(wait_for phase_is fails Failed; echo $?) "exit 3 with restartPolicy Never: Failed"
is "$(k get pod fails -o jsonpath='{.status.containerStatuses[0].state.terminated.reason} {.status.containerStatuses[0].state.terminated.exitCode}')" "Error 3" "terminated Error 3"
ok $(wait_for sh -c "kubectl get pod crashes --no-headers | grep -q CrashLoopBackOff"; echo $?) "a container that keeps failing goes into CrashLoopBackOff"
out=$(k get pod crashes -o jsonpath='{.status.containerStatuses[0].restartCount} {.status.containerStatuses[0].lastState.terminated.exitCode} {.status.containerStatuses[0].state.waiting.message}')
like "$out" '^[1-9] 1 back-off [0-9]+s restarting failed container=c pod=crashes_default' "with restarts, lastState and the back-off message"
is "$(k get pod crashes -o jsonpath='{.status.phase}')" Running "its phase stays Running (restartPolicy Always)"
ok $(wait_for phase_is job Succeeded; echo $?) "init container first, then the container: OnFailure exit 0 Succeeded"
is "$(k get pod job -o jsonpath='{.status.initContainerStatuses[0].state.terminated.reason}')" Completed "the init container completed"
out=$(k get events --field-selector involvedObject.name=crashes -o jsonpath='{range .items[*]}{.reason} {end}')
like "$out" 'Created .*Started .*BackOff' "events Created, Started and BackOff"
out=$(k get events --field-selector involvedObject.name=crashes -o jsonpath='{range .items[?(@.reason=="Started")]}{.count} {end}')
like "$out" '^[2-9] $' "a repeated event is one Event with a count (\"$out\")"
sleep 1
is "$(k get pod elsewhere -o jsonpath='{.status.phase}')" Pending "a pod bound to another node is left alone"

# deletion: the kubelet stops the containers and deletes the pod for good
k delete pod runs --wait=false >/dev/null
ok $(wait_for sh -c "! kubectl get pod runs"; echo $?) "a deleted pod is stopped and removed by the kubelet"

# a new agent takes over the nodes
kill -TERM $AGENT_PID; wait $AGENT_PID; st=$?
is "$st" 0 "the agent stops cleanly on SIGTERM"
k delete pod done --wait=false >/dev/null
start_agent
ok $(wait_for sh -c "! kubectl get pod done"; echo $?) "the restarted agent finishes a deletion made while it was down"
ok $(wait_for sh -c "test \"\$(kubectl get lease hollow-0 -n kube-node-lease -o jsonpath='{.spec.renewTime}')\" != '$r1'"; echo $?) "and renews the Leases"
ok $(wait_for phase_is fails Failed; echo $?) "finished pods stay finished"

kill -TERM $AGENT_PID; wait $AGENT_PID
stop_server
grep -q "ERROR" "$TMP/agent.log" && sed 's/^/# /' "$TMP/agent.log" | tail -20
tap_done
