#!/bin/sh
# The StatefulSet controller (plugin controller-statefulset) in `k8c server`
# on hollow nodes, driven by the real kubectl: pods <set>-<ordinal> created
# in order, each once the previous one is Running and Ready, with their
# hostname, subdomain and a PVC per ordinal that outlives them; scale down
# from the highest ordinal; Parallel; spec.ordinals.start; RollingUpdate
# with a partition, OnDelete; ControllerRevisions as kubectl rollout
# status/history/undo read them; the events kube-controller-manager writes.
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
"$K8C" agent --server "http://127.0.0.1:$K8C_PORT" --runtime sim --sim-nodes 3 \
	--node-name hollow --sim-cpu 8 --sim-memory 16Gi --sim-pods 110 \
	--data-dir "$TMP/agent" --kubelet-port 0 >>"$TMP/agent.log" 2>&1 &
AGENT_PID=$!
tap_at_exit "kill -9 $AGENT_PID 2>/dev/null"
ok $(wait_for sh -c "kubectl get nodes --no-headers | grep -c ' Ready ' | grep -qx 3"; echo $?) "three hollow nodes are Ready"

jp() { k get "$1" -o jsonpath="$2"; }
ready_count() { # SET: readyReplicas
	jp "sts/$1" '{.status.readyReplicas}'
}
pods_of() { # SET: its pods' names, sorted
	k get pods -l "app=$1" -o jsonpath='{range .items[*]}{.metadata.name} {end}' | tr ' ' '\n' | sed '/^$/d' | sort | tr '\n' ' '
}
all_ready() { # SET N
	[ "$(ready_count "$1")" = "$2" ] && [ "$(jp "sts/$1" '{.status.replicas}')" = "$2" ]
}

# --- ordered creation and identity ------------------------------------------------
k get pods -w --output-watch-events -l app=web \
	-o jsonpath='{.type} {.object.metadata.name} {.object.status.phase} {.object.status.conditions[?(@.type=="Ready")].status} {.object.metadata.deletionTimestamp}{"\n"}' \
	>"$TMP/watch.txt" 2>&1 &
WATCH_PID=$!
tap_at_exit "kill $WATCH_PID 2>/dev/null"
sleep 1
cat >"$TMP/web.yaml" <<'YAML'
apiVersion: v1
kind: Service
metadata: {name: nginx}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: nginx
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: c
        image: nginx:1
        volumeMounts: [{name: data, mountPath: /data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
YAML
out=$(k apply -f "$TMP/web.yaml" 2>&1)
like "$out" "statefulset.apps/web created" "kubectl apply creates the StatefulSet"
ok $(wait_for all_ready web 3; echo $?) "three pods Running and Ready"
is "$(pods_of web)" "web-0 web-1 web-2 " "pods named web-0, web-1, web-2"
kill $WATCH_PID 2>/dev/null
# the first event of web-1 comes after web-0 was Ready, and web-2 after web-1
first_line() { grep -n " $1 " "$TMP/watch.txt" | head -1 | cut -d: -f1; }
ready_line() { grep -n " $1 Running True" "$TMP/watch.txt" | head -1 | cut -d: -f1; }
l0r=$(ready_line web-0) l1=$(first_line web-1) l1r=$(ready_line web-1) l2=$(first_line web-2)
ok $([ -n "$l0r" ] && [ -n "$l1" ] && [ "$l1" -gt "$l0r" ]; echo $?) "web-1 is created only after web-0 is Running and Ready (watch lines $l0r < $l1)"
ok $([ -n "$l1r" ] && [ -n "$l2" ] && [ "$l2" -gt "$l1r" ]; echo $?) "web-2 only after web-1 is Ready (watch lines $l1r < $l2)"
out=$(jp pod/web-1 '{.spec.hostname} {.spec.subdomain} {.metadata.labels.statefulset\.kubernetes\.io/pod-name} {.metadata.labels.apps\.kubernetes\.io/pod-index}')
is "$out" "web-1 nginx web-1 1" "hostname, subdomain, pod-name and pod-index labels"
out=$(jp pod/web-1 '{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name} {.metadata.ownerReferences[0].controller}')
is "$out" "StatefulSet/web true" "owned by the set as its controller"
out=$(jp pod/web-2 '{.spec.volumes[?(@.name=="data")].persistentVolumeClaim.claimName}')
is "$out" "data-web-2" "the data volume is the PVC data-web-2"
out=$(k get pvc -o jsonpath='{range .items[*]}{.metadata.name}={.metadata.labels.app} {end}')
is "$out" "data-web-0=web data-web-1=web data-web-2=web " "a PVC per ordinal, labelled with the selector"
rev=$(jp sts/web '{.status.updateRevision}')
like "$rev" "^web-[bcdfghjklmnpqrstvwxz2456789]+$" "updateRevision names a revision web-<hash>"
is "$(jp pod/web-0 '{.metadata.labels.controller-revision-hash}')" "$rev" "pods carry controller-revision-hash = the revision"
out=$(jp sts/web '{.status.replicas} {.status.readyReplicas} {.status.currentReplicas} {.status.updatedReplicas} {.status.availableReplicas} {.status.observedGeneration} {.status.collisionCount}')
is "$out" "3 3 3 3 3 1 0" "status replicas, ready, current, updated, available, observedGeneration, collisionCount"
is "$(jp sts/web '{.status.currentRevision}')" "$rev" "currentRevision = updateRevision"
out=$(jp "controllerrevision/$rev" '{.revision} {.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name} {.metadata.labels.app}')
is "$out" "1 StatefulSet/web web" "the ControllerRevision: revision 1, owned by the set, template labels"
out=$(k get events --field-selector involvedObject.name=web -o jsonpath='{range .items[*]}{.reason}: {.message} [{.source.component}]{"\n"}{end}')
like "$out" "SuccessfulCreate: create Pod web-0 in StatefulSet web successful \[statefulset-controller\]" "event SuccessfulCreate for the pod"
like "$out" "SuccessfulCreate: create Claim data-web-0 Pod web-0 in StatefulSet web success" "and for the claim"
out=$(k rollout status sts/web --timeout=20s 2>&1)
is "$out" "partitioned roll out complete: 3 new pods have been updated..." "kubectl rollout status"

# --- a deleted pod comes back under its name, with its claim -----------------------
uid=$(jp pod/web-1 '{.metadata.uid}')
k delete pod web-1 --wait=false >/dev/null
newuid() { u=$(jp pod/web-1 '{.metadata.uid}') && [ -n "$u" ] && [ "$u" != "$uid" ]; }
ok $(wait_for newuid; echo $?) "a deleted web-1 is recreated"
ok $(wait_for all_ready web 3; echo $?) "and Ready again"
is "$(jp pod/web-1 '{.spec.hostname} {.spec.volumes[?(@.name=="data")].persistentVolumeClaim.claimName}')" "web-1 data-web-1" "same hostname and claim"

# --- scale down in reverse order ---------------------------------------------------
k get events --watch-only --field-selector involvedObject.name=web,reason=SuccessfulDelete \
	-o jsonpath='{.message}{"\n"}' >"$TMP/deletes.txt" 2>&1 &
EV_PID=$!
tap_at_exit "kill $EV_PID 2>/dev/null"
sleep 0.5
k scale sts web --replicas=1 >/dev/null
gone() { [ "$(pods_of web)" = "web-0 " ]; }
ok $(wait_for gone; echo $?) "scaled to 1: only web-0 is left"
sleep 0.5
kill $EV_PID 2>/dev/null
is "$(grep -o 'Pod web-[0-9]' "$TMP/deletes.txt" | tr '\n' ' ')" "Pod web-2 Pod web-1 " "web-2 was deleted before web-1 (SuccessfulDelete events)"
out=$(k get pvc -o jsonpath='{range .items[*]}{.metadata.name} {end}')
is "$out" "data-web-0 data-web-1 data-web-2 " "the PVCs survive the scale down"
ok $(wait_for all_ready web 1; echo $?) "status follows: 1 replica"
k scale sts web --replicas=3 >/dev/null
ok $(wait_for all_ready web 3; echo $?) "scaled back to 3"
is "$(jp pod/web-2 '{.spec.volumes[?(@.name=="data")].persistentVolumeClaim.claimName}')" "data-web-2" "web-2 gets its old claim back"

# --- rolling update with a partition, from the highest ordinal ---------------------
old=$(jp sts/web '{.status.currentRevision}')
k patch sts web --type merge -p '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":2}}}}' >/dev/null
k set image sts/web c=nginx:2 >/dev/null
new_rev() { r=$(jp sts/web '{.status.updateRevision}') && [ -n "$r" ] && [ "$r" != "$old" ]; }
ok $(wait_for new_rev; echo $?) "a new template: a new update revision"
new=$(jp sts/web '{.status.updateRevision}')
at_rev() { [ "$(jp "pod/$1" '{.metadata.labels.controller-revision-hash}')" = "$2" ] && [ "$(jp "pod/$1" '{.status.conditions[?(@.type=="Ready")].status}')" = True ]; }
ok $(wait_for at_rev web-2 "$new"; echo $?) "web-2 (at the partition) is updated"
is "$(jp pod/web-2 '{.spec.containers[0].image}')" "nginx:2" "with the new image"
sleep 2
is "$(jp pod/web-0 '{.metadata.labels.controller-revision-hash}') $(jp pod/web-1 '{.metadata.labels.controller-revision-hash}')" "$old $old" "web-0 and web-1, below the partition, stay at the old revision"
is "$(jp pod/web-1 '{.spec.containers[0].image}')" "nginx:1" "with the old image"
out=$(k rollout status sts/web --timeout=20s 2>&1)
is "$out" "partitioned roll out complete: 1 new pods have been updated..." "rollout status with a partition"
out=$(jp sts/web '{.status.currentReplicas} {.status.updatedReplicas} {.status.currentRevision}')
is "$out" "2 1 $old" "status: 2 current, 1 updated, currentRevision the old one"
k get events --watch-only --field-selector involvedObject.name=web,reason=SuccessfulDelete \
	-o jsonpath='{.message}{"\n"}' >"$TMP/deletes2.txt" 2>&1 &
EV_PID=$!
sleep 0.5
k patch sts web --type merge -p '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}' >/dev/null
done_rolling() { [ "$(jp sts/web '{.status.currentRevision}')" = "$new" ] && all_ready web 3; }
ok $(wait_for done_rolling; echo $?) "partition 0: the rollout completes, currentRevision = the new one"
sleep 0.5
kill $EV_PID 2>/dev/null
is "$(grep -o 'Pod web-[0-9]' "$TMP/deletes2.txt" | tr '\n' ' ')" "Pod web-1 Pod web-0 " "web-1 is replaced before web-0"
is "$(jp pod/web-0 '{.spec.containers[0].image}')" "nginx:2" "web-0 runs the new image"
out=$(k rollout status sts/web --timeout=20s 2>&1)
is "$out" "partitioned roll out complete: 3 new pods have been updated..." "rollout status"

# --- history and undo ----------------------------------------------------------------
out=$(k rollout history sts/web 2>&1)
like "$out" "REVISION" "kubectl rollout history lists the revisions"
is "$(echo "$out" | awk '$1 ~ /^[0-9]+$/ {print $1}' | tr '\n' ' ')" "1 2 " "revisions 1 and 2"
out=$(k rollout history sts/web --revision=1 2>&1)
like "$out" "nginx:1" "revision 1 shows the old image"
out=$(k rollout undo sts/web 2>&1)
is "$out" "statefulset.apps/web rolled back" "kubectl rollout undo"
undone() { [ "$(jp sts/web '{.status.currentRevision}')" = "$old" ] && [ "$(jp sts/web '{.status.updatedReplicas}')" = 3 ] && all_ready web 3; }
ok $(wait_for undone; echo $?) "the pods go back to the old revision"
is "$(jp sts/web '{.spec.template.spec.containers[0].image}') $(jp pod/web-2 '{.spec.containers[0].image}')" "nginx:1 nginx:1" "the old image in the set and the pods"
is "$(jp "controllerrevision/$old" '{.revision}')" "3" "the old revision is renumbered 3"
out=$(k rollout history sts/web 2>&1)
is "$(echo "$out" | awk '$1 ~ /^[0-9]+$/ {print $1}' | tr '\n' ' ')" "2 3 " "history: revisions 2 and 3"
out=$(k rollout undo sts/web --to-revision=3 2>&1)
is "$out" "statefulset.apps/web skipped rollback (current template already matches revision 3)" "undo to the current revision is skipped"
out=$(k patch sts web --type merge -p '{"spec":{"revisionHistoryLimit":1}}' 2>&1)
like "$out" "updates to statefulset spec for fields other than" "revisionHistoryLimit cannot change in 1.32"
cat >"$TMP/hl.yaml" <<'YAML'
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: hl}
spec:
  serviceName: hl
  replicas: 1
  revisionHistoryLimit: 1
  selector: {matchLabels: {app: hl}}
  template:
    metadata: {labels: {app: hl}}
    spec: {containers: [{name: c, image: img:1}]}
YAML
k apply -f "$TMP/hl.yaml" >/dev/null
for v in 2 3 4; do
	ok $(wait_for all_ready hl 1; echo $?) "hl Ready at img:$((v - 1))"
	k set image sts/hl c=img:$v >/dev/null
	rolled() { [ "$(jp pod/hl-0 '{.spec.containers[0].image}')" = "img:$v" ]; }
	wait_for rolled
done
ok $(wait_for all_ready hl 1; echo $?) "hl rolled to img:4"
two_revs() { [ "$(k get controllerrevisions -l app=hl --no-headers | wc -l)" -eq 2 ]; }
ok $(wait_for two_revs; echo $?) "revisionHistoryLimit 1: the live revision and one more are kept"
is "$(k get controllerrevisions -l app=hl -o jsonpath='{range .items[*]}{.revision}{"\n"}{end}' | sort -n | tr '\n' ' ')" "3 4 " "revisions 3 and 4"

# --- OnDelete -----------------------------------------------------------------------
cat >"$TMP/ondel.yaml" <<'YAML'
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: od}
spec:
  serviceName: od
  replicas: 2
  updateStrategy: {type: OnDelete}
  selector: {matchLabels: {app: od}}
  template:
    metadata: {labels: {app: od}}
    spec: {containers: [{name: c, image: img:1}]}
YAML
k apply -f "$TMP/ondel.yaml" >/dev/null
ok $(wait_for all_ready od 2; echo $?) "OnDelete set: 2 pods Ready"
k set image sts/od c=img:2 >/dev/null
sleep 3
is "$(jp pod/od-0 '{.spec.containers[0].image}') $(jp pod/od-1 '{.spec.containers[0].image}')" "img:1 img:1" "OnDelete: a new template replaces no pod"
out=$(jp sts/od '{.status.currentReplicas} {.status.updatedReplicas}')
is "$out" "2 " "status: 2 current, 0 updated"
out=$(k rollout status sts/od 2>&1)
like "$out" "rollout status is only available for RollingUpdate strategy type" "rollout status refuses OnDelete as kubectl does"
k delete pod od-0 --wait=false >/dev/null
img2() { [ "$(jp pod/od-0 '{.spec.containers[0].image}')" = img:2 ]; }
ok $(wait_for img2; echo $?) "a deleted pod comes back at the new template"
sleep 1
is "$(jp pod/od-1 '{.spec.containers[0].image}')" "img:1" "the other one stays"

# --- Parallel and OrderedReady with pods that never become Ready ---------------------
cat >"$TMP/par.yaml" <<'YAML'
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: par}
spec:
  serviceName: par
  replicas: 3
  podManagementPolicy: Parallel
  selector: {matchLabels: {app: par}}
  template:
    metadata:
      labels: {app: par}
      annotations: {sim.k8c.io/exit-after: "0s", sim.k8c.io/exit-code: "1"}
    spec: {containers: [{name: c, image: crash}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: ord}
spec:
  serviceName: ord
  replicas: 3
  selector: {matchLabels: {app: ord}}
  template:
    metadata:
      labels: {app: ord}
      annotations: {sim.k8c.io/exit-after: "0s", sim.k8c.io/exit-code: "1"}
    spec: {containers: [{name: c, image: crash}]}
YAML
k apply -f "$TMP/par.yaml" >/dev/null
three() { [ "$(pods_of par)" = "par-0 par-1 par-2 " ]; }
ok $(wait_for three; echo $?) "Parallel: all three pods are created though none is Ready"
sleep 3
is "$(pods_of ord)" "ord-0 " "OrderedReady: ord-1 waits for ord-0 to be Ready"
is "$(jp sts/par '{.status.replicas} {.status.readyReplicas}')" "3 " "status: 3 replicas, none ready"
k scale sts par --replicas=1 >/dev/null
one() { [ "$(pods_of par)" = "par-0 " ]; }
ok $(wait_for one; echo $?) "Parallel: scaling down does not wait for readiness"

# --- spec.ordinals.start ----------------------------------------------------------------
cat >"$TMP/start.yaml" <<'YAML'
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: st}
spec:
  serviceName: st
  replicas: 2
  ordinals: {start: 5}
  selector: {matchLabels: {app: st}}
  template:
    metadata: {labels: {app: st}}
    spec: {containers: [{name: c, image: img}]}
YAML
k apply -f "$TMP/start.yaml" >/dev/null
ok $(wait_for all_ready st 2; echo $?) "ordinals.start 5: two pods Ready"
is "$(pods_of st)" "st-5 st-6 " "named st-5 and st-6"
is "$(jp pod/st-6 '{.metadata.labels.apps\.kubernetes\.io/pod-index}')" "6" "pod-index 6"

# --- orphans are adopted, pods that stop matching released ---------------------------
cat >"$TMP/orphan.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: st-7, labels: {app: st}}
spec: {containers: [{name: c, image: img}]}
YAML
k apply -f "$TMP/orphan.yaml" >/dev/null
k scale sts st --replicas=3 >/dev/null
adopted() { [ "$(jp pod/st-7 '{.metadata.ownerReferences[0].name}')" = st ]; }
ok $(wait_for adopted; echo $?) "an orphan st-7 matching the selector is adopted as ordinal 7"
out=$(jp pod/st-7 '{.metadata.labels.statefulset\.kubernetes\.io/pod-name} {.metadata.labels.apps\.kubernetes\.io/pod-index}')
is "$out" "st-7 7" "and given its identity labels"
ok $(wait_for all_ready st 3; echo $?) "st has 3 Ready pods"
k label pod st-6 app=other --overwrite >/dev/null
released() { [ -z "$(jp pod/st-6 '{.metadata.ownerReferences}')" ]; }
ok $(wait_for released; echo $?) "a pod relabelled out of the selector is released"
replaced() { [ "$(jp pod/st-6 '{.metadata.labels.app}')" = st ]; }
sleep 2
is "$(jp pod/st-6 '{.metadata.labels.app}')" "other" "(its name is taken: the set waits for it)"
k delete pod st-6 --wait=false >/dev/null
ok $(wait_for replaced; echo $?) "once it is gone st-6 is created again by the set"

# --- a failed pod is deleted and recreated ----------------------------------------------
uid=$(jp pod/st-5 '{.metadata.uid}')
k patch pod st-5 --subresource=status --type merge -p '{"status":{"phase":"Failed"}}' >/dev/null 2>&1
recreated5() { u=$(jp pod/st-5 '{.metadata.uid}') && [ -n "$u" ] && [ "$u" != "$uid" ]; }
ok $(wait_for recreated5; echo $?) "a Failed pod is deleted and created again"
out=$(k get events --field-selector involvedObject.name=st,reason=RecreatingFailedPod -o jsonpath='{.items[0].type} {.items[0].message}')
is "$out" "Warning StatefulSet default/st is recreating failed Pod st-5" "event RecreatingFailedPod"

# --- persistentVolumeClaimRetentionPolicy: owner references for the garbage collector -----
cat >"$TMP/ret.yaml" <<'YAML'
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: ret}
spec:
  serviceName: ret
  replicas: 2
  persistentVolumeClaimRetentionPolicy: {whenDeleted: Delete, whenScaled: Delete}
  selector: {matchLabels: {app: ret}}
  template:
    metadata: {labels: {app: ret}}
    spec: {containers: [{name: c, image: img, volumeMounts: [{name: d, mountPath: /d}]}]}
  volumeClaimTemplates:
  - metadata: {name: d}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
YAML
k apply -f "$TMP/ret.yaml" >/dev/null
ok $(wait_for all_ready ret 2; echo $?) "ret: 2 pods Ready"
setref() { [ "$(jp pvc/d-ret-1 '{.metadata.ownerReferences[*].kind}/{.metadata.ownerReferences[*].name}')" = StatefulSet/ret ]; }
ok $(wait_for setref; echo $?) "whenDeleted Delete: the set owns the claims"
k scale sts ret --replicas=1 >/dev/null
podref() { # the claim of the condemned pod is owned by that pod (or already collected)
	o=$(k get pvc d-ret-1 -o jsonpath='{.metadata.ownerReferences[*].kind}/{.metadata.ownerReferences[*].name}' 2>&1)
	[ "$o" = Pod/ret-1 ] || echo "$o" | grep -q NotFound
}
ok $(wait_for podref; echo $?) "whenScaled Delete: the condemned pod owns its claim instead"
is "$(jp pvc/d-ret-0 '{.metadata.ownerReferences[*].kind}')" "StatefulSet" "the kept pod's claim stays with the set"

tap_done
