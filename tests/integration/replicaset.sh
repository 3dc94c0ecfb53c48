#!/bin/sh
# The ReplicaSet controller (plugins/controller-replicaset) in the
# controller manager of `k8c server`, on hollow nodes, driven by the real
# kubectl: replicas kept, scaling both ways, deleted pods replaced, orphans
# adopted and pods that stop matching released, the least valuable pod
# deleted first, status as kubectl shows it (minReadySeconds), a template
# the API server refuses reported as FailedCreate and ReplicaFailure, and
# the set's deletion cascading to its pods through the garbage collector
# when that controller is loaded.
. "$top_srcdir/tests/lib.sh"
tap_tmpdir
. "$top_srcdir/tests/integration/server_lib.sh"

K8C_WITH_CONTROLLERS=1 K8C_WITH_SCHEDULER=1 start_server
export KUBECONFIG="$KUBECONFIG_FILE"
k() { kubectl "$@"; }
"$K8C" agent --server "http://127.0.0.1:$K8C_PORT" --runtime sim --sim-nodes 3 --node-name rs \
	--data-dir "$TMP/agent" --kubelet-port 0 >"$TMP/agent.log" 2>&1 &
AGENT_PID=$!
tap_at_exit "kill -9 $AGENT_PID 2>/dev/null"

wait_for() { # CMD...: retry for up to 30 s
	i=0
	while [ $i -lt 300 ]; do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
field() { k get rs "$1" -o jsonpath="{.status.$2}"; }
field_is() { [ "$(field "$1" "$2")" = "$3" ]; }
pods_of() { k get pods -l "$1" --no-headers 2>/dev/null | grep -vc Terminating; }
count_is() { [ "$(pods_of "$1")" = "$2" ]; }
wait_for sh -c "kubectl get nodes --no-headers | grep -c ' Ready' | grep -qx 3"

cat >"$TMP/rs.yaml" <<'YAML'
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web, labels: {tier: front}}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, extra: x}}
    spec: {containers: [{name: c, image: nginx}]}
YAML
k apply -f "$TMP/rs.yaml" >/dev/null
wait_for field_is web readyReplicas 3
ok $? "3 replicas become ready"
is "$(pods_of app=web)" 3 "3 pods exist"
is "$(field web replicas),$(field web fullyLabeledReplicas),$(field web availableReplicas),$(field web observedGeneration)" \
	"3,3,3,1" "status: replicas, fullyLabeledReplicas, availableReplicas, observedGeneration"
out=$(k get rs web --no-headers)
like "$out" "web +3 +3 +3" "kubectl get rs shows DESIRED CURRENT READY"
p=$(k get pods -l app=web -o jsonpath='{.items[0].metadata.name}')
is "$(k get pod "$p" -o jsonpath='{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}/{.metadata.ownerReferences[0].controller}/{.metadata.ownerReferences[0].blockOwnerDeletion}')" \
	"ReplicaSet/web/true/true" "pods carry the controller reference"
like "$p" "^web-[a-z0-9]{5}$" "pod names are generated from the set's name"
is "$(k get pod "$p" -o jsonpath='{.metadata.labels.extra}')" x "pods carry the template's labels"

k scale rs web --replicas=6 >/dev/null
wait_for field_is web readyReplicas 6
ok $? "scaled up to 6"
k scale rs web --replicas=2 >/dev/null
wait_for count_is app=web 2
ok $? "scaled down to 2"
wait_for field_is web replicas 2
ok $? "status.replicas follows"

k delete pod "$(k get pods -l app=web -o jsonpath='{.items[0].metadata.name}')" --wait=false >/dev/null
wait_for sh -c "kubectl get rs web -o jsonpath='{.status.readyReplicas}' | grep -qx 2 && [ \$(kubectl get pods -l app=web --no-headers | grep -c Running) -ge 2 ]"
ok $? "a deleted pod is replaced"

# release: a pod whose labels stop matching loses its owner reference and
# is replaced
p=$(k get pods -l app=web -o jsonpath='{.items[0].metadata.name}')
k label pod "$p" app=stray --overwrite >/dev/null
wait_for sh -c "[ -z \"\$(kubectl get pod $p -o jsonpath='{.metadata.ownerReferences}')\" ]"
ok $? "a pod that stops matching is released"
wait_for count_is app=web 2
ok $? "and replaced"
# adoption: relabelled back, it is adopted and the surplus goes
k label pod "$p" app=web --overwrite >/dev/null
# (adopted, it may be the surplus pod deleted)
wait_for sh -c "kubectl get pod $p -o jsonpath='{.metadata.ownerReferences[0].name}' | grep -qx web || kubectl get events --field-selector involvedObject.name=web | grep -q 'Deleted pod: $p'"
ok $? "a matching orphan is adopted"
wait_for count_is app=web 2
ok $? "and the surplus deleted"

# the least valuable pod goes first: an orphan that cannot be scheduled
cat <<'YAML' | k apply -f - >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: stuck, labels: {app: web}}
spec:
  nodeSelector: {nowhere: "true"}
  containers: [{name: c, image: nginx}]
YAML
wait_for sh -c "! kubectl get pod stuck"
ok $? "an adopted pending pod is the one deleted, not a running one"
is "$(pods_of app=web)" 2 "two running pods stay"
out=$(k get events --field-selector involvedObject.name=web -o jsonpath='{range .items[*]}{.reason}:{.message}:{.source.component}{"\n"}{end}')
like "$out" "SuccessfulCreate:Created pod: web-[a-z0-9]{5}:replicaset-controller" "SuccessfulCreate events"
like "$out" "SuccessfulDelete:Deleted pod: stuck:replicaset-controller" "SuccessfulDelete events"

# minReadySeconds: ready pods become available later
cat <<'YAML' | k apply -f - >/dev/null
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: slow}
spec:
  replicas: 2
  minReadySeconds: 3
  selector: {matchLabels: {app: slow}}
  template:
    metadata: {labels: {app: slow}}
    spec: {containers: [{name: c, image: nginx}]}
YAML
wait_for field_is slow readyReplicas 2
ok $? "minReadySeconds: pods ready"
av=$(field slow availableReplicas)
[ "${av:-0}" -lt 2 ]
ok $? "but not available at once ($av)"
wait_for field_is slow availableReplicas 2
ok $? "available after minReadySeconds"

# a template the API server refuses: FailedCreate, ReplicaFailure
cat <<'YAML' | k apply -f - >/dev/null
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: bad}
spec:
  replicas: 2
  selector: {matchLabels: {app: bad}}
  template:
    metadata: {labels: {app: bad}}
    spec: {priorityClassName: no-such-class, containers: [{name: c, image: nginx}]}
YAML
wait_for sh -c "kubectl get rs bad -o jsonpath='{.status.conditions[0].type}' | grep -qx ReplicaFailure"
ok $? "a refused pod sets the ReplicaFailure condition"
is "$(k get rs bad -o jsonpath='{.status.conditions[0].reason}')" FailedCreate "reason FailedCreate"
like "$(k get rs bad -o jsonpath='{.status.conditions[0].message}')" "no-such-class" "with the API server's message"
out=$(k get events --field-selector involvedObject.name=bad -o jsonpath='{range .items[*]}{.type}:{.reason}:{.message}{"\n"}{end}')
like "$out" "Warning:FailedCreate:Error creating: .*no-such-class" "and a FailedCreate warning event"
is "$(pods_of app=bad)" 0 "no pod was created"
n=$(k get events --field-selector involvedObject.name=bad,reason=FailedCreate -o jsonpath='{.items[0].count}')
sleep 2
n2=$(k get events --field-selector involvedObject.name=bad,reason=FailedCreate -o jsonpath='{.items[0].count}')
[ "${n2:-0}" -le $(( ${n:-0} + 6 )) ]
ok $? "retries back off ($n then $n2 attempts)"
k patch rs bad --type=json -p '[{"op":"remove","path":"/spec/template/spec/priorityClassName"}]' >/dev/null
wait_for field_is bad readyReplicas 2
ok $? "fixed template: the pods come"
wait_for sh -c "[ -z \"\$(kubectl get rs bad -o jsonpath='{.status.conditions}')\" ]"
ok $? "and ReplicaFailure is removed"
is "$(field bad observedGeneration)" 2 "observedGeneration follows the template change"

# the Python client sees the same status
out=$(/usr/bin/python3 - "$KUBECONFIG_FILE" <<'PY'
import sys
from kubernetes import client, config
config.load_kube_config(sys.argv[1])
rs = client.AppsV1Api().read_namespaced_replica_set("web", "default")
print(rs.status.replicas, rs.status.ready_replicas, rs.status.available_replicas,
      rs.metadata.name, rs.spec.selector.match_labels["app"])
PY
)
is "$out" "2 2 2 web web" "python3-kubernetes reads the status"

# scale to zero
k scale rs web --replicas=0 >/dev/null
wait_for count_is app=web 0
ok $? "scaled to zero"
wait_for sh -c "kubectl get rs web -o jsonpath='{.status.replicas}' | grep -qx 0"
ok $? "status.replicas 0"
out=$(k get rs web -o json | python3 -c 'import json,sys; s=json.load(sys.stdin)["status"]; print(sorted(s))')
is "$out" "['observedGeneration', 'replicas']" "zero counts are omitted as Kubernetes does"

stop_server
is "$(grep -c ' ERROR \|AddressSanitizer\|runtime error' "$TMP/server.log")" 0 "no errors in the server log"
tap_done
