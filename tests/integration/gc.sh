#!/bin/sh
# The garbage collector with kubectl 1.32: a ConfigMap owned by another
# ConfigMap goes with it (background), waits for it (--cascade=foreground:
# the owner keeps the foregroundDeletion finalizer while a blocking
# dependent exists), survives it (--cascade=orphan: the reference goes);
# a reference to an owner that does not exist is removed when another
# owner remains, and the object is deleted when none does; a ReplicaSet's
# pods follow it (background, foreground) or stay (orphan); finalizers removed by a patch delete an
# object being deleted.
. "$top_srcdir/tests/lib.sh"
tap_tmpdir
. "$top_srcdir/tests/integration/server_lib.sh"

K8C_WITH_CONTROLLERS=1 start_server --leader-elect=false
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
gone() { ! k get "$@" >/dev/null 2>&1; }
uid() { k get "$@" -o jsonpath='{.metadata.uid}'; }
# owned NAME OWNER-NAME OWNER-UID [block]: a ConfigMap owned by a ConfigMap
owned() {
	k apply -f - >/dev/null <<YAML
apiVersion: v1
kind: ConfigMap
metadata:
  name: $1
  ownerReferences:
  - {apiVersion: v1, kind: ConfigMap, name: $2, uid: $3, blockOwnerDeletion: ${4:-false}}
YAML
}

# background (kubectl's default)
k create configmap owner >/dev/null
owned dep owner "$(uid cm owner)"
out=$(k delete cm owner 2>&1); st=$?
is "$st" 0 "kubectl delete of the owner"
ok $(wait_for gone cm dep; echo $?) "background: the dependent is deleted"

# foreground: the owner waits for its blocking dependent
k create configmap fg-owner >/dev/null
fuid=$(uid cm fg-owner)
owned fg-dep fg-owner "$fuid" true
k patch cm fg-dep --type merge -p '{"metadata":{"finalizers":["example.com/hold"]}}' >/dev/null
out=$(k delete cm fg-owner --cascade=foreground --wait=false 2>&1); st=$?
is "$st" 0 "kubectl delete --cascade=foreground"
out=$(k get cm fg-owner -o json 2>&1)
like "$out" '"foregroundDeletion"' "the owner carries the foregroundDeletion finalizer"
like "$out" '"deletionTimestamp"' "and a deletionTimestamp"
ok $(wait_for sh -c "kubectl get cm fg-dep -o jsonpath='{.metadata.deletionTimestamp}' | grep -q ." ; echo $?) \
	"the blocking dependent is being deleted"
sleep 1
ok $(k get cm fg-owner >/dev/null 2>&1; echo $?) "the owner stays while its blocking dependent exists"
k patch cm fg-dep --type merge -p '{"metadata":{"finalizers":null}}' >/dev/null
ok $(wait_for gone cm fg-dep; echo $?) "the dependent goes once its finalizer is removed"
ok $(wait_for gone cm fg-owner; echo $?) "then the owner"

# a non-blocking dependent does not hold the owner
k create configmap fg2 >/dev/null
owned fg2-dep fg2 "$(uid cm fg2)" false
k patch cm fg2-dep --type merge -p '{"metadata":{"finalizers":["example.com/hold"]}}' >/dev/null
k delete cm fg2 --cascade=foreground --wait=false >/dev/null 2>&1
ok $(wait_for gone cm fg2; echo $?) "foreground: a dependent without blockOwnerDeletion does not hold the owner"
k patch cm fg2-dep --type merge -p '{"metadata":{"finalizers":null}}' >/dev/null
ok $(wait_for gone cm fg2-dep; echo $?) "and is deleted too"

# orphan
k create configmap or-owner >/dev/null
owned or-dep or-owner "$(uid cm or-owner)" true
out=$(k delete cm or-owner --cascade=orphan 2>&1); st=$?
is "$st" 0 "kubectl delete --cascade=orphan"
ok $(wait_for gone cm or-owner; echo $?) "the owner is deleted"
sleep 1
out=$(k get cm or-dep -o jsonpath='{.metadata.name}/{.metadata.ownerReferences}' 2>&1)
is "$out" "or-dep/" "orphan: the dependent stays, without its owner reference"

# dangling references
k create configmap live >/dev/null
k apply -f - >/dev/null <<YAML
apiVersion: v1
kind: ConfigMap
metadata:
  name: two-owners
  ownerReferences:
  - {apiVersion: v1, kind: ConfigMap, name: live, uid: $(uid cm live)}
  - {apiVersion: v1, kind: ConfigMap, name: ghost, uid: 00000000-0000-0000-0000-000000000001}
YAML
ok $(wait_for sh -c "test \"\$(kubectl get cm two-owners -o jsonpath='{.metadata.ownerReferences[*].name}')\" = live"; echo $?) \
	"a dangling reference is removed while another owner remains"
owned orphaned ghost 00000000-0000-0000-0000-000000000002
ok $(wait_for gone cm orphaned; echo $?) "an object whose only owner does not exist is deleted"
k create configmap ghost >/dev/null
owned wrong-uid ghost 00000000-0000-0000-0000-000000000003
ok $(wait_for gone cm wrong-uid; echo $?) "an owner of that name with another uid is not its owner"

# the API server: finalizers and deletionTimestamp
k create configmap held >/dev/null
k patch cm held --type merge -p '{"metadata":{"finalizers":["example.com/a","example.com/b"]}}' >/dev/null
k delete cm held --wait=false >/dev/null 2>&1
like "$(k get cm held -o json)" '"deletionGracePeriodSeconds": 0' "an object with finalizers is only marked for deletion"
k patch cm held --type json -p '[{"op":"remove","path":"/metadata/finalizers/0"}]' >/dev/null
ok $(k get cm held >/dev/null 2>&1; echo $?) "it stays while a finalizer remains"
k patch cm held --type json -p '[{"op":"remove","path":"/metadata/finalizers"}]' >/dev/null
ok $(wait_for gone cm held; echo $?) "removing the last finalizer deletes it"
k create configmap swap >/dev/null
owned swap-dep swap "$(uid cm swap)" true
k patch cm swap-dep --type merge -p '{"metadata":{"finalizers":["example.com/hold"]}}' >/dev/null
k delete cm swap --cascade=foreground --wait=false >/dev/null 2>&1
k delete cm swap --cascade=orphan --wait=false >/dev/null 2>&1
ok $(wait_for gone cm swap; echo $?) "a second DELETE with --cascade=orphan replaces foregroundDeletion"
k patch cm swap-dep --type merge -p '{"metadata":{"finalizers":null}}' >/dev/null

# ReplicaSet -> pods (with the ReplicaSet controller)
k apply -f - >/dev/null <<'YAML'
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs-fg}
spec:
  replicas: 2
  selector: {matchLabels: {app: rs-fg}}
  template:
    metadata: {labels: {app: rs-fg}}
    spec: {containers: [{name: c, image: nginx}]}
YAML
ok $(wait_for sh -c "test \$(kubectl get pods -l app=rs-fg --no-headers | wc -l) -eq 2"; echo $?) "a ReplicaSet's pods exist"
k delete rs rs-fg >/dev/null 2>&1
ok $(wait_for sh -c "test \$(kubectl get pods -l app=rs-fg --no-headers 2>/dev/null | wc -l) -eq 0"; echo $?) \
	"deleting a ReplicaSet deletes its pods"
k apply -f - >/dev/null <<'YAML'
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs-or}
spec:
  replicas: 2
  selector: {matchLabels: {app: rs-or}}
  template:
    metadata: {labels: {app: rs-or}}
    spec: {containers: [{name: c, image: nginx}]}
YAML
ok $(wait_for sh -c "test \$(kubectl get pods -l app=rs-or --no-headers | wc -l) -eq 2"; echo $?) "another ReplicaSet's pods exist"
k delete rs rs-or --cascade=orphan >/dev/null 2>&1
sleep 1
is "$(k get pods -l app=rs-or -o jsonpath='{.items[*].metadata.ownerReferences}')" "" \
	"--cascade=orphan: the pods stay, without owner references"
is "$(k get pods -l app=rs-or --no-headers | wc -l)" 2 "both of them"
k apply -f - >/dev/null <<'YAML'
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs-fore}
spec:
  replicas: 2
  selector: {matchLabels: {app: rs-fore}}
  template:
    metadata: {labels: {app: rs-fore}}
    spec: {containers: [{name: c, image: nginx}]}
YAML
ok $(wait_for sh -c "test \$(kubectl get pods -l app=rs-fore --no-headers | wc -l) -eq 2"; echo $?) "a third ReplicaSet's pods exist"
out=$(k delete rs rs-fore --cascade=foreground 2>&1); st=$?
is "$st" 0 "kubectl delete rs --cascade=foreground waits and returns"
is "$(k get pods -l app=rs-fore --no-headers 2>/dev/null | wc -l)" 0 "its pods went first"

# python3-kubernetes: V1DeleteOptions(propagation_policy=...)
if /usr/bin/python3 -c 'import kubernetes' 2>/dev/null; then
	/usr/bin/python3 "$top_srcdir/tests/integration/gc_python.py" "$KUBECONFIG_FILE" >"$TMP/py.out" 2>&1
	while read -r verdict what; do
		case $verdict in
		PASS) ok 0 "python: $what" ;;
		FAIL) ok 1 "python: $what" ;;
		*) echo "# $verdict $what" ;;
		esac
	done <"$TMP/py.out"
	is "$(grep -c '^PASS' "$TMP/py.out")" 9 "python: every check ran"
else
	echo "# python3-kubernetes is not installed: its checks are skipped"
fi

stop_server
tap_done
