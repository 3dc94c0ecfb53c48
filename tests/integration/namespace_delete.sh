#!/bin/sh
# Namespace deletion with kubectl 1.32 and the namespace controller: the
# namespace becomes Terminating, refuses new content (Forbidden, with the
# NamespaceTerminating cause), its pods (running on a sim node, deleted
# gracefully), ReplicaSets, Deployments and ConfigMaps are deleted, its
# conditions say what remains (an object held by a finalizer), and once
# empty the "kubernetes" finalizer goes and so does the namespace.
. "$top_srcdir/tests/lib.sh"
tap_tmpdir
. "$top_srcdir/tests/integration/server_lib.sh"

K8C_WITH_CONTROLLERS=1 K8C_WITH_SCHEDULER=1 start_server --leader-elect=false
export KUBECONFIG="$KUBECONFIG_FILE"
k() { kubectl "$@"; }
wait_for() { # CMD...: retry for up to 60 s
	i=0
	while [ $i -lt 600 ]; do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
gone() { ! k get "$@" >/dev/null 2>&1; }
"$K8C" agent --server "http://127.0.0.1:$K8C_PORT" --runtime sim --node-name ns-node \
	--data-dir "$TMP/agent" --kubelet-port 0 >"$TMP/agent.log" 2>&1 &
tap_at_exit "kill -9 $! 2>/dev/null"
ok $(wait_for sh -c "kubectl get node ns-node --no-headers | grep -q ' Ready '"; echo $?) "a sim node is Ready"

k create namespace team >/dev/null
like "$(k get ns team -o jsonpath='{.spec.finalizers}')" '"kubernetes"' "a new namespace has the kubernetes finalizer"
k -n team apply -f - >/dev/null <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: solo}
spec:
  terminationGracePeriodSeconds: 4
  containers: [{name: c, image: nginx}]
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 4
      containers: [{name: c, image: nginx}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: 0
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {a: "1"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: held, finalizers: [example.com/hold]}
YAML
ok $(wait_for sh -c "test \$(kubectl -n team get pods --field-selector=status.phase=Running --no-headers | wc -l) -eq 3"; echo $?) \
	"three pods run in the namespace"

out=$(k delete namespace team --wait=false 2>&1); st=$?
is "$st" 0 "kubectl delete namespace"
like "$(k get ns team --no-headers 2>&1)" 'team +Terminating' "the namespace is Terminating"
like "$(k get ns team -o jsonpath='{.metadata.deletionTimestamp}')" '^[0-9]{4}-' "with a deletionTimestamp"

out=$(k -n team create configmap late 2>&1); st=$?
ok $([ "$st" -ne 0 ]; echo $?) "creating in a Terminating namespace fails"
like "$out" 'configmaps "late" is forbidden: unable to create new content in namespace team because it is being terminated' \
	"Forbidden with Kubernetes' message"
out=$(curl -s -X POST -H 'Content-Type: application/json' -d '{"metadata":{"name":"late2"}}' \
	"http://127.0.0.1:$K8C_PORT/api/v1/namespaces/team/configmaps")
like "$out" '"reason":"Forbidden"' "reason Forbidden"
like "$out" '"causes":\[\{"reason":"NamespaceTerminating","message":"namespace team is being terminated","field":"metadata.namespace"\}\]' \
	"with the NamespaceTerminating cause"

ok $(wait_for sh -c "test \$(kubectl -n team get pods --no-headers 2>/dev/null | wc -l) -eq 0"; echo $?) "its pods are deleted"
ok $(wait_for gone -n team rs web; echo $?) "its ReplicaSet is deleted"
ok $(wait_for gone -n team deployment api; echo $?) "its Deployment is deleted"
ok $(wait_for gone -n team cm settings; echo $?) "its ConfigMaps are deleted"
ok $(wait_for sh -c "kubectl get ns team -o jsonpath='{.status.conditions}' | grep -q SomeFinalizersRemain"; echo $?) \
	"the conditions say a finalizer holds content"
conds=$(k get ns team -o json)
like "$conds" '"message": "Some resources are remaining: configmaps. has 1 resource instances"' "NamespaceContentRemaining names it"
like "$conds" '"message": "Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances"' \
	"NamespaceFinalizersRemaining names the finalizer"
like "$conds" '"reason": "ResourcesDiscovered"' "NamespaceDeletionDiscoveryFailure is False"
like "$conds" '"reason": "ContentDeleted"' "NamespaceDeletionContentFailure is False"
like "$(k get ns team -o jsonpath='{.spec.finalizers}')" 'kubernetes' "the namespace keeps its finalizer meanwhile"
k -n team patch cm held --type merge -p '{"metadata":{"finalizers":null}}' >/dev/null
ok $(wait_for gone ns team; echo $?) "once empty, the namespace is gone"

# kubectl delete waits for it
k create namespace quick >/dev/null
k -n quick create configmap a >/dev/null
out=$(timeout 60 kubectl delete namespace quick 2>&1); st=$?
is "$st" 0 "kubectl delete namespace waits until it is gone"
like "$out" 'namespace "quick" deleted' "and says so"
like "$(k get ns quick 2>&1)" 'NotFound' "it is gone"
k create namespace quick >/dev/null
is "$(k -n quick get cm a 2>&1 | grep -c NotFound)" 1 "a namespace of the same name starts empty"

# the finalize subresource as kubectl replace --raw uses it
k create namespace raw >/dev/null
k -n raw create configmap x >/dev/null
curl -s -X DELETE "http://127.0.0.1:$K8C_PORT/api/v1/namespaces/raw" >/dev/null
ok $(wait_for gone ns raw; echo $?) "DELETE through the API goes the same way"

stop_server
tap_done
