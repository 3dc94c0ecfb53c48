#!/bin/sh
# The DaemonSet controller (plugins/controller-daemonset) in `k8c server`,
# with the scheduler, on hollow nodes (`k8c agent --runtime sim`), driven by
# the real kubectl: one pod per eligible node (nodeSelector, taints and
# tolerations), nodes joining, leaving and being deleted, RollingUpdate
# (maxUnavailable, maxSurge), OnDelete, ControllerRevisions with `kubectl
# rollout status/history/undo`, and the status counts.
. "$top_srcdir/tests/lib.sh"
tap_tmpdir
. "$top_srcdir/tests/integration/server_lib.sh"

K8C_WITH_CONTROLLERS=1 K8C_WITH_SCHEDULER=1 start_server
export KUBECONFIG="$KUBECONFIG_FILE"
k() { kubectl "$@"; }
wait_for() { # CMD...: retry for up to 40 s
	i=0
	while [ $i -lt 400 ]; do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
agent() { # PREFIX N
	"$K8C" agent --server "http://127.0.0.1:$K8C_PORT" --runtime sim --sim-nodes "$2" \
		--node-name "$1" --sim-cpu 4 --sim-memory 16Gi --sim-pods 110 \
		--data-dir "$TMP/agent-$1" --kubelet-port 0 >>"$TMP/agent-$1.log" 2>&1 &
	AGENT_PID=$!
	tap_at_exit "kill -9 $AGENT_PID 2>/dev/null"
}
ready_nodes() { k get nodes --no-headers 2>/dev/null | grep -c ' Ready '; }
# nodes of the running pods of DaemonSet $1 (label app=$1), sorted, space-separated
pod_nodes() {
	k get pods -l "app=$1" --field-selector status.phase=Running \
		-o jsonpath='{range .items[*]}{.spec.nodeName}{"\n"}{end}' | sort | tr '\n' ' ' | sed 's/ $//'
}
nodes_are() { [ "$(pod_nodes "$1")" = "$2" ] && [ "$(k get pods -l "app=$1" --no-headers | wc -l)" -eq "$(echo "$2" | wc -w)" ]; }
status() { # DS: desired current ready updated available unavailable misscheduled (absent: 0)
	k get ds "$1" -o json | python3 -c 'import json, sys
s = json.load(sys.stdin).get("status", {})
print(*[s.get(f, 0) for f in ("desiredNumberScheduled", "currentNumberScheduled", "numberReady",
      "updatedNumberScheduled", "numberAvailable", "numberUnavailable", "numberMisscheduled")])'
}
status_is() { [ "$(status "$1")" = "$2" ]; }
ds() { # NAME [extra spec yaml lines, indented by 2]
	name=$1; shift
	{
		cat <<YAML
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: $name}
spec:
  selector: {matchLabels: {app: $name}}
YAML
		for l in "$@"; do echo "  $l"; done
		cat <<YAML
  template:
    metadata: {labels: {app: $name}}
    spec:
      TEMPLATE_SPEC
      containers: [{name: c, image: busybox}]
YAML
	} | sed "s/^      TEMPLATE_SPEC\$/      ${TEMPLATE_SPEC:-terminationGracePeriodSeconds: 0}/" >"$TMP/$name.yaml"
	k apply -f "$TMP/$name.yaml" >/dev/null
}

agent a 3
ok $(wait_for sh -c "[ \$(kubectl get nodes --no-headers | grep -c ' Ready ') = 3 ]"; echo $?) "three hollow nodes are Ready"

# --- one pod per node ---------------------------------------------------------
ds web
ok $(wait_for nodes_are web "a-0 a-1 a-2"; echo $?) "a DaemonSet runs one pod on each of the 3 nodes"
ok $(wait_for status_is web "3 3 3 3 3 0 0"; echo $?) "status: desired 3, current 3, ready 3, updated 3, available 3, unavailable 0, misscheduled 0"
is "$(k get ds web -o jsonpath='{.status.numberUnavailable}|{.status.numberMisscheduled}')" "|0" \
	"a zero numberUnavailable is left out, a zero numberMisscheduled is not (as Kubernetes writes them)"
is "$(k get ds web -o jsonpath='{.metadata.generation} {.status.observedGeneration}')" "1 1" "observedGeneration follows generation"
out=$(k get ds web --no-headers | awk '{print $2, $3, $4, $5, $6}')
is "$out" "3 3 3 3 3" "kubectl get ds shows DESIRED CURRENT READY UP-TO-DATE AVAILABLE"
pod=$(k get pods -l app=web -o jsonpath='{.items[0].metadata.name}')
like "$pod" '^web-[bcdfghjklmnpqrstvwxz2456789]{5}$' "pods are named <ds>-<random>"
is "$(k get pod "$pod" -o jsonpath='{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name} {.metadata.ownerReferences[0].controller} {.metadata.ownerReferences[0].blockOwnerDeletion}')" \
	"DaemonSet/web true true" "the pod's controller is the DaemonSet"
node=$(k get pod "$pod" -o jsonpath='{.spec.nodeName}')
is "$(k get pod "$pod" -o jsonpath='{.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].key} {.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].operator} {.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].values[0]}')" \
	"metadata.name In $node" "it asks for its node by a matchFields term (the scheduler binds it there)"
out=$(k get pod "$pod" -o jsonpath='{range .spec.tolerations[*]}{.key}:{.effect}{.tolerationSeconds} {end}')
like "$out" "node.kubernetes.io/not-ready:NoExecute node.kubernetes.io/unreachable:NoExecute node.kubernetes.io/disk-pressure:NoSchedule node.kubernetes.io/memory-pressure:NoSchedule node.kubernetes.io/pid-pressure:NoSchedule node.kubernetes.io/unschedulable:NoSchedule" \
	"the DaemonSet default tolerations, NoExecute ones without tolerationSeconds"
hash=$(k get pod "$pod" -o jsonpath='{.metadata.labels.controller-revision-hash}')
is "$(k get pod "$pod" -o jsonpath='{.metadata.labels.pod-template-generation}')" 1 "pods carry pod-template-generation"
is "$(k get controllerrevisions -l app=web -o jsonpath='{.items[*].metadata.name} {.items[*].revision}')" "web-$hash 1" \
	"a ControllerRevision <ds>-<hash> with revision 1, the pods' controller-revision-hash"
like "$(k get controllerrevision "web-$hash" -o json | tr -d ' \n')" '"data":\{"spec":\{"template":\{"\$patch":"replace","metadata":\{"labels":\{"app":"web"\}\},"spec":\{"containers"' \
	"its data is the patch that puts the template back whole"
is "$(k get controllerrevision "web-$hash" -o jsonpath='{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}')" "DaemonSet/web" \
	"the DaemonSet owns it"
out=$(k get events --field-selector involvedObject.name=web,reason=SuccessfulCreate -o jsonpath='{.items[*].message}')
like "$out" "^Created pod: web-[a-z0-9]{5}" "SuccessfulCreate events say Created pod: NAME"
like "$(k get events --field-selector involvedObject.name=web,reason=SuccessfulCreate -o jsonpath='{.items[0].source.component}')" \
	"^daemonset-controller$" "from the daemonset-controller"

k delete pod "$pod" --wait=false >/dev/null
ok $(wait_for sh -c "[ \"\$(kubectl get pods -l app=web -o jsonpath='{.items[*].metadata.name}' | grep -c $pod)\" = 0 ] && kubectl get pods -l app=web --field-selector spec.nodeName=$node --no-headers | grep -q Running"; echo $?) \
	"a deleted daemon pod is replaced on its node"

# --- nodeSelector ---------------------------------------------------------------
k label node a-1 role=edge >/dev/null
TEMPLATE_SPEC='nodeSelector: {role: edge}' ds edge
ok $(wait_for nodes_are edge "a-1"; echo $?) "nodeSelector: a pod only on the labelled node"
ok $(wait_for status_is edge "1 1 1 1 1 0 0"; echo $?) "desired 1"
k label node a-2 role=edge >/dev/null
ok $(wait_for nodes_are edge "a-1 a-2"; echo $?) "a node labelled later gets a pod"
k label node a-1 role- >/dev/null
ok $(wait_for nodes_are edge "a-2"; echo $?) "a node that loses the label loses the pod"
ok $(wait_for status_is edge "1 1 1 1 1 0 0"; echo $?) "status follows"
out=$(k get events --field-selector involvedObject.name=edge,reason=SuccessfulDelete -o jsonpath='{.items[*].message}')
like "$out" "^Deleted pod: edge-[a-z0-9]{5}$" "SuccessfulDelete event"

# --- taints ---------------------------------------------------------------------
k taint node a-0 dedicated=infra:NoSchedule >/dev/null
ds plain
ok $(wait_for nodes_are plain "a-1 a-2"; echo $?) "a NoSchedule-tainted node gets no pod"
ok $(wait_for status_is web "2 2 2 2 2 0 1"; echo $?) "an existing pod there stays, counted misscheduled"
TEMPLATE_SPEC='tolerations: [{key: dedicated, operator: Exists}]' ds tolerant
ok $(wait_for nodes_are tolerant "a-0 a-1 a-2"; echo $?) "a pod that tolerates the taint runs there"
k taint node a-0 dedicated- >/dev/null
ok $(wait_for nodes_are plain "a-0 a-1 a-2"; echo $?) "once the taint is gone, the node gets its pod"
k taint node a-1 evict=now:NoExecute >/dev/null
ok $(wait_for nodes_are web "a-0 a-2"; echo $?) "a NoExecute taint removes the daemon pod"
ok $(wait_for nodes_are tolerant "a-0 a-2"; echo $?) "from every DaemonSet that does not tolerate it"
k taint node a-1 evict- >/dev/null
ok $(wait_for nodes_are web "a-0 a-1 a-2"; echo $?) "and brings it back when removed"
k cordon a-2 >/dev/null
k delete pod -l app=plain --field-selector spec.nodeName=a-2 --wait=false >/dev/null
ok $(wait_for nodes_are plain "a-0 a-1 a-2"; echo $?) "a cordoned node still runs daemon pods (unschedulable toleration)"
k uncordon a-2 >/dev/null

# --- nodes joining and leaving --------------------------------------------------
A_PID=$AGENT_PID
agent b 2
B_PID=$AGENT_PID
ok $(wait_for sh -c "[ \$(kubectl get nodes --no-headers | grep -c ' Ready ') = 5 ]"; echo $?) "a second agent brings 2 more nodes"
ok $(wait_for nodes_are web "a-0 a-1 a-2 b-0 b-1"; echo $?) "new nodes get a daemon pod"
ok $(wait_for status_is web "5 5 5 5 5 0 0"; echo $?) "desired 5"
kill "$B_PID"
k delete node b-0 b-1 >/dev/null
ok $(wait_for sh -c "[ -z \"\$(kubectl get pods -l app=web --no-headers | grep -v Terminating | awk '{print \$1}' | xargs -r -n1 kubectl get pod -o jsonpath='{.spec.nodeName}{\"\\n\"}' | grep b-)\" ]"; echo $?) \
	"deleted nodes' pods go"
ok $(wait_for status_is web "3 3 3 3 3 0 0"; echo $?) "desired back to 3"

# --- rolling update, history, undo ----------------------------------------------
k delete ds edge plain tolerant >/dev/null
k set image ds/web c=busybox:1.36 >/dev/null
out=$(timeout 60 kubectl rollout status ds/web --timeout=50s 2>&1)
like "$out" 'daemon set "web" successfully rolled out' "rollout status waits for the rolling update"
is "$(k get pods -l app=web -o jsonpath='{range .items[*]}{.spec.containers[0].image} {end}')" "busybox:1.36 busybox:1.36 busybox:1.36 " "every pod runs the new image"
ok $(wait_for status_is web "3 3 3 3 3 0 0"; echo $?) "all updated and available"
out=$(k get ds web -o jsonpath='{.metadata.generation} {.status.observedGeneration}')
is "$out" "2 2" "observedGeneration 2"
out=$(k rollout history ds/web)
like "$(echo "$out" | tr '\n' ' ')" "REVISION +CHANGE-CAUSE +1 +<none> +2 +<none>" "rollout history lists revisions 1 and 2"
like "$(k rollout history ds/web --revision=1)" "busybox$" "rollout history --revision=1 shows the old template"
new_hash=$(k get pods -l app=web -o jsonpath='{.items[0].metadata.labels.controller-revision-hash}')
[ "$new_hash" != "$hash" ]; ok $? "the new pods carry the new revision's hash"
out=$(k rollout undo ds/web 2>&1)
like "$out" "daemonset.apps/web rolled back" "rollout undo"
out=$(timeout 60 kubectl rollout status ds/web --timeout=50s 2>&1)
like "$out" 'successfully rolled out' "the undo rolls out"
is "$(k get pods -l app=web -o jsonpath='{range .items[*]}{.spec.containers[0].image} {end}')" "busybox busybox busybox " "the pods run the first image again"
is "$(k get controllerrevision "web-$hash" -o jsonpath='{.revision}')" 3 "the first revision is now revision 3"
is "$(k get pods -l app=web -o jsonpath='{.items[0].metadata.labels.controller-revision-hash}')" "$hash" "and its pods carry its hash"
like "$(k rollout undo ds/web --to-revision=3 2>&1)" "skipped rollback|rolled back" "undo to the current revision changes nothing"

# maxSurge: the new pod starts before the old one goes
k patch ds web -p '{"spec":{"minReadySeconds":2,"updateStrategy":{"rollingUpdate":{"maxSurge":1,"maxUnavailable":0}}}}' >/dev/null
k set image ds/web c=busybox:surge >/dev/null
ok $(wait_for sh -c "[ \$(kubectl get pods -l app=web --no-headers | wc -l) -ge 4 ]"; echo $?) "maxSurge 1: a fourth pod runs beside the old ones"
out=$(timeout 60 kubectl rollout status ds/web --timeout=50s 2>&1)
like "$out" 'successfully rolled out' "the surge rollout completes"
case "$out" in *"successfully rolled out"*) ;; *)
	k get ds web -o yaml 2>&1 | sed -n '/^status:/,$p' | sed 's/^/# /'
	k get pods -l app=web -o wide --show-labels 2>&1 | sed 's/^/# /'
	grep -i 'daemonset' "$TMP/server.log" | tail -20 | sed 's/^/# /' ;;
esac
ok $(wait_for sh -c "[ \"\$(kubectl get pods -l app=web -o jsonpath='{range .items[*]}{.spec.containers[0].image} {end}')\" = 'busybox:surge busybox:surge busybox:surge ' ]"; echo $?) \
	"and leaves one new pod per node"

# revisionHistoryLimit
k patch ds web -p '{"spec":{"revisionHistoryLimit":1}}' >/dev/null
ok $(wait_for sh -c "[ \$(kubectl get controllerrevisions -l app=web --no-headers | wc -l) = 2 ]"; echo $?) \
	"revisionHistoryLimit 1: the current revision and one old one are kept"

# --- OnDelete -------------------------------------------------------------------
ds od 'updateStrategy: {type: OnDelete}'
ok $(wait_for nodes_are od "a-0 a-1 a-2"; echo $?) "an OnDelete DaemonSet runs everywhere"
k set image ds/od c=busybox:2 >/dev/null
sleep 2
is "$(k get pods -l app=od -o jsonpath='{range .items[*]}{.spec.containers[0].image} {end}')" "busybox busybox busybox " "OnDelete: a template change replaces no pod"
ok $(wait_for status_is od "3 3 3 0 3 0 0"; echo $?) "updatedNumberScheduled 0"
like "$(k rollout status ds/od 2>&1)" "rollout status is only available for RollingUpdate strategy type" "kubectl rollout status refuses OnDelete as kube does"
p=$(k get pods -l app=od --field-selector spec.nodeName=a-1 -o jsonpath='{.items[0].metadata.name}')
k delete pod "$p" --wait=false >/dev/null
ok $(wait_for sh -c "kubectl get pods -l app=od --field-selector spec.nodeName=a-1 -o jsonpath='{.items[*].spec.containers[0].image}' | grep -qx busybox:2"; echo $?) \
	"a deleted pod comes back with the new template"
ok $(wait_for status_is od "3 3 3 1 3 0 0"; echo $?) "updatedNumberScheduled 1"

unlike "$(grep -i daemonset "$TMP/server.log")" "ERROR|WARN" "no error or warning from the daemonset controller"
tap_done
