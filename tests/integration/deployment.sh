#!/bin/sh
# The Deployment controller (plugins/controller-deployment) in the
# controller manager of `k8c server`, with the ReplicaSet controller and
# the scheduler, on hollow nodes, driven by the real kubectl: ReplicaSets
# named by the pod-template-hash with revision annotations, rolling updates
# that never exceed maxSurge/maxUnavailable (watched), rollout status,
# history, undo (to a revision too), pause/resume, restart, a progress
# deadline exceeded, proportional scaling mid-rollout, Recreate (old pods
# gone before new ones come), revisionHistoryLimit, adoption and release
# of ReplicaSets, the status read by python3-kubernetes, and deletion
# cascading through the ownerReferences the controller sets.
. "$top_srcdir/tests/lib.sh"
tap_tmpdir
. "$top_srcdir/tests/integration/server_lib.sh"

K8C_WITH_CONTROLLERS=1 K8C_WITH_SCHEDULER=1 start_server
export KUBECONFIG="$KUBECONFIG_FILE"
k() { kubectl "$@"; }
"$K8C" agent --server "http://127.0.0.1:$K8C_PORT" --runtime sim --sim-nodes 3 --node-name dep \
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
jp() { k get "$1" "$2" -o jsonpath="$3"; }
ann() { # KIND NAME KEY
	k get "$1" "$2" -o json | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['metadata'].get('annotations', {}).get('$3', ''))"
}
cond() { jp deploy "$1" "{.status.conditions[?(@.type==\"$2\")].$3}"; }
cond_is() { [ "$(cond "$1" "$2" "$3")" = "$4" ]; }
new_rs() { # the ReplicaSet of the deployment's current template (highest revision)
	k get rs -l "app=$1" -o json | /usr/bin/python3 -c '
import json, sys
items = json.load(sys.stdin)["items"]
items.sort(key=lambda r: int(r["metadata"].get("annotations", {}).get("deployment.kubernetes.io/revision", "0")))
print(items[-1]["metadata"]["name"] if items else "")'
}
rs_count() { k get rs -l "app=$1" --no-headers 2>/dev/null | wc -l | tr -d ' '; }
rolled_out() { k rollout status "deploy/$1" --timeout=1s; }
watcher() { # MODE LABEL OUT: start deployment_watch.py, wait until it watches
	/usr/bin/python3 "$top_srcdir/tests/integration/deployment_watch.py" "$1" "$K8C_PORT" "$2" "$3" &
	WATCH_PID=$!
	tap_at_exit "kill $WATCH_PID 2>/dev/null"
	wait_for grep -q watching "$3"
}
wait_for sh -c "kubectl get nodes --no-headers | grep -c ' Ready' | grep -qx 3"

# --- create ------------------------------------------------------------------
cat >"$TMP/web.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations: {kubernetes.io/change-cause: "first"}
spec:
  replicas: 4
  selector: {matchLabels: {app: web}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 1}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: "nginx:1"}]}
YAML
k apply -f "$TMP/web.yaml" >/dev/null
out=$(k rollout status deploy/web --timeout=30s)
ok $? "rollout status succeeds for a new deployment"
like "$out" 'deployment "web" successfully rolled out' "... and says so"
rs1=$(new_rs web)
hash=$(jp rs "$rs1" '{.metadata.labels.pod-template-hash}')
is "$rs1" "web-$hash" "the ReplicaSet is <deployment>-<pod-template-hash>"
like "$hash" '^[bcdfghjklmnpqrstvwxz2456789]{1,10}$' "the hash is spelled as Kubernetes spells it"
is "$(jp rs "$rs1" '{.spec.selector.matchLabels.pod-template-hash}/{.spec.template.metadata.labels.pod-template-hash}')" \
	"$hash/$hash" "the hash is in the selector and the template labels"
is "$(jp rs "$rs1" '{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}/{.metadata.ownerReferences[0].controller}/{.metadata.ownerReferences[0].blockOwnerDeletion}')" \
	"Deployment/web/true/true" "the ReplicaSet's controller is the deployment"
is "$(ann rs "$rs1" deployment.kubernetes.io/revision)/$(ann rs "$rs1" deployment.kubernetes.io/desired-replicas)/$(ann rs "$rs1" deployment.kubernetes.io/max-replicas)" \
	"1/4/5" "ReplicaSet annotations: revision, desired-replicas, max-replicas"
is "$(ann rs "$rs1" kubernetes.io/change-cause)" first "the deployment's annotations are copied"
is "$(ann deploy web deployment.kubernetes.io/revision)" 1 "the deployment's revision annotation"
is "$(jp deploy web '{.metadata.generation}/{.status.observedGeneration}')" "1/1" \
	"generation 1, observed (the revision annotation does not bump it)"
is "$(jp deploy web '{.status.replicas}/{.status.updatedReplicas}/{.status.readyReplicas}/{.status.availableReplicas}/{.status.unavailableReplicas}')" \
	"4/4/4/4/" "status counts (unavailableReplicas 0 omitted)"
is "$(cond web Available status)/$(cond web Available reason)/$(cond web Available message)" \
	"True/MinimumReplicasAvailable/Deployment has minimum availability." "Available condition"
is "$(cond web Progressing status)/$(cond web Progressing reason)" "True/NewReplicaSetAvailable" "Progressing condition"
is "$(cond web Progressing message)" "ReplicaSet \"$rs1\" has successfully progressed." "... with Kubernetes' message"
like "$(k get deploy web --no-headers)" "^web +4/4 +4 +4 " "kubectl get deploy: READY UP-TO-DATE AVAILABLE"
events() { k get events --field-selector "involvedObject.kind=Deployment,involvedObject.name=$1" \
	-o jsonpath='{range .items[*]}{.reason}|{.message}|{.source.component}{"\n"}{end}'; }
like "$(events web)" "ScalingReplicaSet\\|Scaled up replica set $rs1 from 0 to 4\\|deployment-controller" \
	"ScalingReplicaSet event, as kube-controller-manager 1.32 words it"

# --- rolling update within maxSurge 1 / maxUnavailable 1 ----------------------
watcher rs app=web "$TMP/rs-watch"
k set image deploy/web c=nginx:2 >/dev/null
k annotate deploy web kubernetes.io/change-cause=second --overwrite >/dev/null
k rollout status deploy/web --timeout=30s >/dev/null
ok $? "rolling update: rollout status succeeds"
sleep 0.5
kill $WATCH_PID
max_spec=$(awk 'NR > 1 && $1 > m { m = $1 } END { print m + 0 }' "$TMP/rs-watch")
min_avail=$(awk 'NR > 1 && $2 == 4 { full = 1 } full && (m == "" || $2 < m) { m = $2 } END { print m + 0 }' "$TMP/rs-watch")
ok $([ "$max_spec" -le 5 ] && [ "$max_spec" -ge 4 ]; echo $?) "never more than replicas + maxSurge = 5 pods wanted (max $max_spec)"
ok $([ "$min_avail" -ge 3 ]; echo $?) "never fewer than replicas - maxUnavailable = 3 available (min $min_avail)"
[ "$min_avail" -ge 3 ] || sed 's/^/# /' "$TMP/rs-watch"
rs2=$(new_rs web)
ok $([ "$rs2" != "$rs1" ]; echo $?) "a new ReplicaSet for the new template ($rs2)"
is "$(jp rs "$rs1" '{.spec.replicas}')/$(jp rs "$rs2" '{.spec.replicas}')" "0/4" "the old one is scaled to 0, the new one to 4"
is "$(ann rs "$rs2" deployment.kubernetes.io/revision)/$(ann deploy web deployment.kubernetes.io/revision)" "2/2" \
	"revision 2 on the new ReplicaSet and the deployment"
like "$(events web)" "Scaled down replica set $rs1 from [0-9]+ to [0-9]+" "scaling down is reported"
out=$(k rollout history deploy/web)
like "$out" "1 +first" "rollout history: revision 1 with its change-cause"
like "$out" "2 +second" "rollout history: revision 2"
like "$(k rollout history deploy/web --revision=1)" "nginx:1" "rollout history --revision shows the template"

# --- a rollout that cannot progress: deadline, proportional scaling, undo -----
k scale deploy/web --replicas=6 >/dev/null
wait_for sh -c "kubectl get rs $rs2 -o jsonpath='{.spec.replicas}' | grep -qx 6"
ok $? "kubectl scale: the ReplicaSet follows"
wait_for rolled_out web
is "$(ann rs "$rs2" deployment.kubernetes.io/desired-replicas)/$(ann rs "$rs2" deployment.kubernetes.io/max-replicas)" \
	"6/7" "the replica annotations follow the scale"
k patch deploy web -p '{"spec":{"progressDeadlineSeconds":4,"template":{"spec":{"nodeSelector":{"nowhere":"true"}}}}}' >/dev/null
wait_for sh -c "[ \$(kubectl get rs -l app=web --no-headers | wc -l) = 3 ]"
rs3=$(new_rs web)
# maxSurge 1, maxUnavailable 1: 5 old + 2 new pending, then stuck
wait_for sh -c "[ \"\$(kubectl get rs $rs2 -o jsonpath='{.spec.replicas}')/\$(kubectl get rs $rs3 -o jsonpath='{.spec.replicas}')\" = 5/2 ]"
ok $? "a rollout whose pods cannot run stops at 5 old + 2 new"
wait_for cond_is web Progressing reason ProgressDeadlineExceeded
ok $? "after progressDeadlineSeconds: Progressing reason ProgressDeadlineExceeded"
is "$(cond web Progressing status)" False "... status False"
is "$(cond web Progressing message)" "ReplicaSet \"$rs3\" has timed out progressing." "... with Kubernetes' message"
out=$(k rollout status deploy/web --timeout=10s 2>&1)
ok $([ $? -ne 0 ]; echo $?) "rollout status fails"
like "$out" 'deployment "web" exceeded its progress deadline' "... saying the deadline was exceeded"
# proportional scaling: 6 -> 12 with 5 + 2 out: allowed 13, both scaled by 13/7
k scale deploy/web --replicas=12 >/dev/null
wait_for sh -c "[ \"\$(kubectl get rs $rs2 -o jsonpath='{.spec.replicas}')/\$(kubectl get rs $rs3 -o jsonpath='{.spec.replicas}')\" = 9/4 ]"
ok $? "scaled mid-rollout: proportionally, old 5 -> 9 and new 2 -> 4 (got $(jp rs "$rs2" '{.spec.replicas}')/$(jp rs "$rs3" '{.spec.replicas}'))"
k rollout undo deploy/web >/dev/null
ok $? "rollout undo"
wait_for rolled_out web
ok $? "the rollback rolls out"
is "$(new_rs web)" "$rs2" "the ReplicaSet of revision 2 is used again"
is "$(ann rs "$rs2" deployment.kubernetes.io/revision)/$(ann rs "$rs2" deployment.kubernetes.io/revision-history)" \
	"4/2" "it becomes revision 4 and remembers revision 2"
is "$(ann deploy web deployment.kubernetes.io/revision)" 4 "the deployment is at revision 4"
is "$(jp rs "$rs3" '{.spec.replicas}')/$(jp rs "$rs2" '{.spec.replicas}')" "0/12" "the stuck ReplicaSet is scaled to 0"
is "$(cond web Progressing reason)" NewReplicaSetAvailable "Progressing recovers"

k rollout undo deploy/web --to-revision=1 >/dev/null
ok $? "rollout undo --to-revision=1"
wait_for rolled_out web
ok $? "... rolls out"
is "$(new_rs web)" "$rs1" "the ReplicaSet of revision 1 is used again"
is "$(jp deploy web '{.spec.template.spec.containers[0].image}')" "nginx:1" "the template is revision 1's"
is "$(ann rs "$rs1" deployment.kubernetes.io/revision)/$(ann rs "$rs1" deployment.kubernetes.io/revision-history)" \
	"5/1" "it becomes revision 5 (history 1)"
out=$(k rollout history deploy/web)
like "$out" "5 +first" "history lists revision 5 with its change-cause"
unlike "$out" "(^|[^0-9])1 +first" "... and no longer revision 1"

# --- pause / resume -----------------------------------------------------------
k rollout pause deploy/web >/dev/null
wait_for cond_is web Progressing reason DeploymentPaused
ok $? "paused: Progressing reason DeploymentPaused"
is "$(cond web Progressing status)/$(cond web Progressing message)" "Unknown/Deployment is paused" "... Unknown, Kubernetes' message"
n=$(rs_count web)
k set image deploy/web c=nginx:6 >/dev/null
k scale deploy/web --replicas=3 >/dev/null
wait_for sh -c "kubectl get rs $rs1 -o jsonpath='{.spec.replicas}' | grep -qx 3"
ok $? "a paused deployment still scales"
sleep 1
is "$(rs_count web)" "$n" "but a paused deployment does not roll out"
is "$(jp deploy web '{.status.updatedReplicas}')" "" "updatedReplicas 0 while paused with a new template"
k rollout resume deploy/web >/dev/null
wait_for rolled_out web
ok $? "resumed: the new template rolls out"
is "$(jp rs "$(new_rs web)" '{.spec.template.spec.containers[0].image}')" "nginx:6" "... to the new image"
is "$(ann deploy web deployment.kubernetes.io/revision)" 6 "revision 6"
like "$(k get events --field-selector involvedObject.name=web,reason=ScalingReplicaSet -o jsonpath='{.items[*].message}')" \
	"Scaled up replica set $(new_rs web) from 0 to" "the new ReplicaSet is scaled up after resume"

# --- restart -------------------------------------------------------------------
before=$(new_rs web)
k rollout restart deploy/web >/dev/null
wait_for sh -c "[ \"\$(kubectl get deploy web -o jsonpath='{.metadata.annotations.deployment\\.kubernetes\\.io/revision}')\" = 7 ]"
wait_for rolled_out web
ok $? "rollout restart rolls out"
after=$(new_rs web)
ok $([ "$after" != "$before" ]; echo $?) "... through a new ReplicaSet ($after)"
like "$(jp rs "$after" '{.spec.template.metadata.annotations}')" "kubectl.kubernetes.io/restartedAt" "whose template has restartedAt"

# --- revisionHistoryLimit -------------------------------------------------------
ok $([ "$(rs_count web)" -gt 3 ]; echo $?) "old ReplicaSets are kept ($(rs_count web))"
k patch deploy web -p '{"spec":{"revisionHistoryLimit":1}}' >/dev/null
wait_for sh -c "[ \$(kubectl get rs -l app=web --no-headers | wc -l) = 2 ]"
ok $? "revisionHistoryLimit 1: one old ReplicaSet is kept"
is "$(k get rs -l app=web -o jsonpath='{.items[*].metadata.name}' | tr ' ' '\n' | sort | tr '\n' ' ')" \
	"$(printf '%s\n' "$before" "$after" | sort | tr '\n' ' ')" "the newest old one stays"

# --- Recreate --------------------------------------------------------------------
cat <<'YAML' | k apply -f - >/dev/null
apiVersion: apps/v1
kind: Deployment
metadata: {name: rec}
spec:
  replicas: 3
  strategy: {type: Recreate}
  selector: {matchLabels: {app: rec}}
  template:
    metadata: {labels: {app: rec}}
    spec: {terminationGracePeriodSeconds: 1, containers: [{name: c, image: "nginx:1"}]}
YAML
k rollout status deploy/rec --timeout=30s >/dev/null
ok $? "Recreate: created"
watcher pods app=rec "$TMP/pod-watch"
k set image deploy/rec c=nginx:2 >/dev/null
k rollout status deploy/rec --timeout=30s >/dev/null
ok $? "Recreate: the update rolls out"
sleep 0.5
kill $WATCH_PID
is "$(awk 'NR > 1 && $1 > m { m = $1 } END { print m + 0 }' "$TMP/pod-watch")" 1 \
	"old and new pods never exist at the same time"
ok $(grep -q . "$TMP/pod-watch" && [ "$(wc -l <"$TMP/pod-watch")" -gt 4 ]; echo $?) "(the watch saw the pods change)"
is "$(rs_count rec)" 2 "two ReplicaSets"
is "$(jp deploy rec '{.status.replicas}/{.status.updatedReplicas}/{.status.availableReplicas}')" "3/3/3" "status after Recreate"

# --- adoption and release --------------------------------------------------------
cat <<'YAML' | k apply -f - >/dev/null
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: orphan, labels: {app: adopt}}
spec:
  replicas: 1
  selector: {matchLabels: {app: adopt}}
  template:
    metadata: {labels: {app: adopt}}
    spec: {containers: [{name: c, image: "nginx:1"}]}
YAML
wait_for sh -c "kubectl get rs orphan -o jsonpath='{.status.readyReplicas}' | grep -qx 1"
cat <<'YAML' | k apply -f - >/dev/null
apiVersion: apps/v1
kind: Deployment
metadata: {name: adopt}
spec:
  replicas: 2
  selector: {matchLabels: {app: adopt}}
  template:
    metadata: {labels: {app: adopt}}
    spec: {containers: [{name: c, image: "nginx:1"}]}
YAML
wait_for sh -c "kubectl get rs orphan -o jsonpath='{.metadata.ownerReferences[0].name}' | grep -qx adopt"
ok $? "an orphan ReplicaSet the selector matches is adopted"
is "$(jp rs orphan '{.metadata.ownerReferences[0].controller}/{.metadata.ownerReferences[0].blockOwnerDeletion}')" \
	"true/true" "... as its controller, blocking owner deletion"
wait_for rolled_out adopt
ok $? "its template is the deployment's: it becomes the new ReplicaSet"
is "$(jp rs orphan '{.spec.replicas}')/$(ann rs orphan deployment.kubernetes.io/revision)" "2/1" "scaled to 2, revision 1"
is "$(rs_count adopt)" 1 "no other ReplicaSet was made"
k label rs orphan app=gone --overwrite >/dev/null
wait_for sh -c "[ -z \"\$(kubectl get rs orphan -o jsonpath='{.metadata.ownerReferences}')\" ]"
ok $? "a ReplicaSet that stops matching is released"
wait_for rolled_out adopt
ok $? "and the deployment makes a new one"

# --- the Python client -------------------------------------------------------------
out=$(/usr/bin/python3 - "$KUBECONFIG_FILE" <<'PY'
import sys
from kubernetes import client, config
config.load_kube_config(sys.argv[1])
d = client.AppsV1Api().read_namespaced_deployment_status("web", "default")
s = d.status
conds = {c.type: c.reason for c in s.conditions}
print(s.observed_generation == d.metadata.generation, s.replicas, s.updated_replicas,
      s.ready_replicas, s.available_replicas, conds["Available"], conds["Progressing"],
      d.metadata.annotations["deployment.kubernetes.io/revision"])
PY
)
is "$out" "True 3 3 3 3 MinimumReplicasAvailable NewReplicaSetAvailable 7" "python3-kubernetes reads the status"

# --- deletion: the garbage collector takes the ReplicaSets and pods ----------------
k delete deploy rec >/dev/null
wait_for sh -c "[ \$(kubectl get rs,pods -l app=rec --no-headers 2>/dev/null | wc -l) = 0 ]"
ok $? "deleting a deployment deletes its ReplicaSets and their pods (ownerReferences)"

stop_server
is "$(grep -c ' ERROR \|AddressSanitizer\|runtime error' "$TMP/server.log")" 0 "no errors in the server log"
tap_done
