#!/bin/sh
# The scheduler embedded in `k8c server`, on hollow nodes of different
# sizes (`k8c agent --runtime sim`), driven by the real kubectl and
# python3-kubernetes: pods without a node get one as kube-scheduler would
# pick it (node selectors, taints, resources, cordon, anti-affinity,
# topology spread, profiles), pods that fit nowhere say why, and waiting
# pods are scheduled when a node that fits arrives.
. "$top_srcdir/tests/lib.sh"
tap_tmpdir
. "$top_srcdir/tests/integration/server_lib.sh"

cat >"$TMP/k8c.yaml" <<'YAML'
scheduler:
  profiles:
  - scheduler-name: default-scheduler
  - scheduler-name: packer
    plugins:
      filter: [node-unschedulable, taint-toleration, node-resources-fit]
      score: [{name: node-resources-fit, weight: 1}]
    plugin-config:
    - name: node-resources-fit
      args: {scoringStrategy: {type: MostAllocated}}
YAML
K8C_WITH_SCHEDULER=1 start_server --config "$TMP/k8c.yaml"
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
node_of() { k get pod "$1" -o jsonpath='{.spec.nodeName}'; }
bound() { [ -n "$(node_of "$1")" ]; }
agent() { # PREFIX N CPU MEMORY
	"$K8C" agent --server "http://127.0.0.1:$K8C_PORT" --runtime sim --sim-nodes "$2" \
		--node-name "$1" --sim-cpu "$3" --sim-memory "$4" --sim-pods 110 \
		--data-dir "$TMP/agent-$1" --kubelet-port 0 >>"$TMP/agent-$1.log" 2>&1 &
	tap_at_exit "kill -9 $! 2>/dev/null"
}
like "$(cat "$TMP/server.log")" "profile packer: 3 filter, 1 score, 1 bind plugins" "the config file's profile is loaded"
like "$(cat "$TMP/server.log")" "scheduler running: 2 profiles" "the scheduler runs in the server"

# no node yet: a pod waits, and says why
k run early --image=busybox >/dev/null
ok $(wait_for sh -c "kubectl get pod early -o jsonpath='{.status.conditions[?(@.type==\"PodScheduled\")].reason}' | grep -qx Unschedulable"; echo $?) "with no node, a pod is Unschedulable"
is "$(k get pod early -o jsonpath='{.status.conditions[?(@.type=="PodScheduled")].message}')" \
	"no nodes available to schedule pods" "... because no nodes are available"

agent small 3 2 4Gi
agent big 2 16 64Gi
ok $(wait_for sh -c "[ \$(kubectl get nodes --no-headers | grep -c ' Ready ') = 5 ]"; echo $?) "5 hollow nodes are Ready (3 small, 2 big)"
for n in small-0 small-1 small-2; do k label node $n node-size=small >/dev/null; done
ok $(wait_for bound early; echo $?) "the waiting pod is scheduled once nodes come"
ok $(wait_for sh -c "kubectl get pod early -o jsonpath='{.status.phase}' | grep -qx Running"; echo $?) "and runs"
is "$(k get pod early -o jsonpath='{.status.conditions[?(@.type=="PodScheduled")].status}')" True "PodScheduled is True"
out=$(k get events --field-selector involvedObject.name=early,reason=Scheduled -o jsonpath='{.items[*].message}')
like "$out" "^Successfully assigned default/early to (small|big)-[0-9]$" "a Scheduled event names the node"
like "$(k get events --field-selector involvedObject.name=early -o jsonpath='{.items[*].source.component}')" "default-scheduler" "from default-scheduler"

# resources: only the big nodes have 8 cpus free
k run wide --image=busybox --overrides='{"spec":{"containers":[{"name":"wide","image":"busybox","resources":{"requests":{"cpu":"8"}}}]}}' >/dev/null
ok $(wait_for bound wide; echo $?) "a pod asking for 8 cpus is scheduled"
like "$(node_of wide)" "^big-" "on a big node"

# nodeSelector
k label node big-1 disk=ssd >/dev/null
k run picky --image=busybox --overrides='{"spec":{"nodeSelector":{"disk":"ssd"}}}' >/dev/null
ok $(wait_for bound picky; echo $?) "a pod with a nodeSelector is scheduled"
is "$(node_of picky)" big-1 "on the only node with the label"

# too big for any node: Unschedulable with Kubernetes' message, then a
# bigger node arrives
k run huge --image=busybox --overrides='{"spec":{"containers":[{"name":"huge","image":"busybox","resources":{"requests":{"cpu":"40"}}}]}}' >/dev/null
ok $(wait_for sh -c "kubectl get pod huge -o jsonpath='{.status.conditions[?(@.type==\"PodScheduled\")].reason}' | grep -qx Unschedulable"; echo $?) "a pod asking for 40 cpus is Unschedulable"
huge_msg="0/5 nodes are available: 5 Insufficient cpu. preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling."
is "$(k get pod huge -o jsonpath='{.status.conditions[?(@.type=="PodScheduled")].message}')" \
	"$huge_msg" "0/5 nodes are available: 5 Insufficient cpu. preemption: ... not helpful (as kube-scheduler 1.32)"
out=$(k get events --field-selector involvedObject.name=huge,reason=FailedScheduling -o jsonpath='{.items[*].message}')
is "$out" "$huge_msg" "a FailedScheduling event says the same"
like "$(k describe pod huge)" "Warning +FailedScheduling .*default-scheduler +0/5 nodes are available: 5 Insufficient cpu\." "kubectl describe shows it"
agent giant 1 64 256Gi
ok $(wait_for bound huge; echo $?) "a node big enough arrives: the pod is scheduled"
is "$(node_of huge)" giant-0 "on it"

# taints and tolerations
k taint node giant-0 dedicated=batch:NoSchedule >/dev/null
k run tol --image=busybox --overrides='{"spec":{"nodeSelector":{"kubernetes.io/hostname":"giant-0"},"tolerations":[{"key":"dedicated","operator":"Equal","value":"batch","effect":"NoSchedule"}]}}' >/dev/null
k run notol --image=busybox --overrides='{"spec":{"nodeSelector":{"kubernetes.io/hostname":"giant-0"}}}' >/dev/null
ok $(wait_for bound tol; echo $?) "a pod tolerating the taint is scheduled on the tainted node"
ok $(wait_for sh -c "kubectl get pod notol -o jsonpath='{.status.conditions[?(@.type==\"PodScheduled\")].message}' | grep -q untolerated"; echo $?) "one that does not is refused"
is "$(k get pod notol -o jsonpath='{.status.conditions[?(@.type=="PodScheduled")].message}')" \
	"0/6 nodes are available: 1 node(s) had untolerated taint {dedicated: batch}, 5 node(s) didn't match Pod's node affinity/selector. preemption: 0/6 nodes are available: 6 Preemption is not helpful for scheduling." \
	"with every reason counted and sorted as Kubernetes does"
k taint node giant-0 dedicated- >/dev/null
ok $(wait_for bound notol; echo $?) "once the taint is removed it is scheduled"

# cordon
for n in small-0 small-1 small-2 big-0 giant-0; do k cordon $n >/dev/null; done
k run corner --image=busybox >/dev/null
ok $(wait_for bound corner; echo $?) "with all nodes but one cordoned, a pod is scheduled"
is "$(node_of corner)" big-1 "on the one left"
for n in small-0 small-1 small-2 big-0 giant-0; do k uncordon $n >/dev/null; done

# another scheduler's pods are left alone
k run theirs --image=busybox --overrides='{"spec":{"schedulerName":"someone-else"}}' >/dev/null
sleep 1
is "$(node_of theirs):$(k get pod theirs -o jsonpath='{.status.conditions}')" ":" "a pod for another scheduler is left alone"

# the packer profile (MostAllocated) fills one node before the next
for i in 1 2 3; do
	k run pack$i --image=busybox --overrides='{"spec":{"schedulerName":"packer","nodeSelector":{"kubernetes.io/hostname":"giant-0"}}}' >/dev/null
done
ok $(wait_for sh -c "kubectl get pods pack1 pack2 pack3 -o jsonpath='{.items[*].spec.nodeName}' | grep -qx 'giant-0 giant-0 giant-0'"; echo $?) "pods of the packer profile are scheduled"

# anti-affinity: one per node
for i in 1 2 3; do
	k apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: spread$i, labels: {app: spread}}
spec:
  affinity:
    podAntiAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
      - labelSelector: {matchLabels: {app: spread}}
        topologyKey: kubernetes.io/hostname
  nodeSelector: {kubernetes.io/hostname: small-$((i % 2))}
  containers: [{name: c, image: busybox}]
YAML
done
ok $(wait_for sh -c "[ \$(kubectl get pods -l app=spread -o jsonpath='{.items[*].spec.nodeName}' | wc -w) = 2 ]"; echo $?) "anti-affinity: two of three pods placed"
sleep 1
is "$(k get pods -l app=spread -o jsonpath='{.items[*].spec.nodeName}' | tr ' ' '\n' | sort | tr '\n' ' ')" "small-0 small-1 " "each on its own node"
like "$(k get pod spread3 -o jsonpath='{.status.conditions[?(@.type=="PodScheduled")].message}')" \
	"node\(s\) didn't match pod anti-affinity rules" "the third says anti-affinity keeps it out"

# topology spread: zones across the small nodes, at most one apart
k label node small-0 topology.kubernetes.io/zone=a >/dev/null
k label node small-1 topology.kubernetes.io/zone=b >/dev/null
k label node small-2 topology.kubernetes.io/zone=b >/dev/null
for i in 1 2 3 4; do
	k apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: zoned$i, labels: {app: zoned}}
spec:
  nodeSelector: {node-size: small}
  topologySpreadConstraints:
  - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: zoned}}}
  containers: [{name: c, image: busybox}]
YAML
done
ok $(wait_for sh -c "[ \$(kubectl get pods -l app=zoned -o jsonpath='{.items[*].spec.nodeName}' | wc -w) = 4 ]"; echo $?) "topology spread: four pods placed"
zones=$(for p in $(k get pods -l app=zoned -o jsonpath='{.items[*].spec.nodeName}'); do k get node "$p" -o jsonpath='{.metadata.labels.topology\.kubernetes\.io/zone}'; echo; done | sort | uniq -c | awk '{print $1}' | tr '\n' ' ')
is "$zones" "2 2 " "two in each zone (maxSkew 1)"
k cordon small-0 >/dev/null # zone a still counts (nodeTaintsPolicy Ignore), but takes no pod
for i in 5 6; do
	k apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: zoned$i, labels: {app: zoned}}
spec:
  nodeSelector: {node-size: small}
  topologySpreadConstraints:
  - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: zoned}}}
  containers: [{name: c, image: busybox}]
YAML
	[ $i = 5 ] && wait_for bound zoned5
done
ok $(wait_for bound zoned5; echo $?) "with zone a cordoned, a fifth pod goes to zone b (3 against 2)"
ok $(wait_for sh -c "kubectl get pod zoned6 -o jsonpath='{.status.conditions[?(@.type==\"PodScheduled\")].message}' | grep -q 'topology spread'"; echo $?) "a sixth would skew by 2: refused"
like "$(k get pod zoned6 -o jsonpath='{.status.conditions[?(@.type=="PodScheduled")].message}')" \
	"node\\(s\\) didn't match pod topology spread constraints" "with the topology spread reason"
k uncordon small-0 >/dev/null

# many pods at once
for i in $(seq 1 60); do echo "---
apiVersion: v1
kind: Pod
metadata: {name: many-$i, labels: {app: many}}
spec: {containers: [{name: c, image: busybox, resources: {requests: {cpu: 100m}}}]}"; done >"$TMP/many.yaml"
k apply -f "$TMP/many.yaml" >/dev/null
ok $(wait_for sh -c "[ \$(kubectl get pods -l app=many --field-selector status.phase=Running --no-headers | wc -l) = 60 ]"; echo $?) "60 pods created at once are all scheduled and running"
out=$(k get pods -l app=many -o jsonpath='{.items[*].spec.nodeName}' | tr ' ' '\n' | sort -u | wc -l)
ok $([ "$out" -ge 4 ]; echo $?) "spread over $out nodes (least allocated first)"

# python3-kubernetes creates a pod without a node: it gets one
out=$(/usr/bin/python3 - <<'EOF' 2>&1
import time
from kubernetes import client, config
config.load_kube_config()
v1 = client.CoreV1Api()
v1.create_namespaced_pod("default", {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "frompy"},
    "spec": {"containers": [{"name": "c", "image": "busybox"}]}})
for _ in range(300):
    p = v1.read_namespaced_pod("frompy", "default")
    if p.spec.node_name:
        print("bound", p.spec.node_name.split("-")[0] in ("small", "big", "giant"))
        break
    time.sleep(0.1)
EOF
)
is "$out" "bound True" "python3-kubernetes: a created pod is bound"

# the standalone scheduler command
out=$("$K8C" scheduler 2>&1); st=$?
is "$st" 2 "k8c scheduler without --server is a usage error"
like "$out" "--server URL is required" "and says what is missing"

stop_server
is "$(grep -c ' ERROR ' "$TMP/server.log")" 0 "the server logged no error"
tap_done
