#!/bin/sh
# kubectl 1.20 (Debian's kubernetes-client) against a real `k8c server`:
# the commands of API-NOTES.md as the old client sends them.  1.20 differs
# from 1.32: it validates with /openapi/v2 (protobuf), sends no
# fieldValidation, waits for deletions with a list by
# fieldSelector=metadata.name=NAME, and asks for logs without container=.
# It cannot share /usr/bin with the image's kubectl:
# contrib/deps/debian.sh --test unpacks it into /opt/k8c-test/kubectl-1.20.
. "$top_srcdir/tests/lib.sh"

KUBECTL120=${K8C_KUBECTL120:-/opt/k8c-test/kubectl-1.20/usr/bin/kubectl}
if ! [ -x "$KUBECTL120" ]; then
	echo "1..0 # SKIP kubectl 1.20 is not at $KUBECTL120 (run contrib/deps/debian.sh --test as root, or set K8C_KUBECTL120)"
	exit 0
fi

tap_tmpdir
. "$top_srcdir/tests/integration/server_lib.sh"

m="$top_srcdir/tests/integration/manifests"
# The API server alone: no scheduler binds, no controller adds pods, no
# node agent runs them, so what the tests see is what the clients did.
start_server --disable-agent --disable-scheduler --disable-controller-manager --disable-cloud-controller
k() { "$KUBECTL120" --kubeconfig "$KUBECONFIG_FILE" --cache-dir "$TMP/kcache" "$@"; }

out=$(k version --short 2>&1)
like "$out" '^Client Version: v1\.20\.' "the client is kubectl 1.20"
like "$out" '^Server Version: v1\.32\.0\+k8c-' "it reads the server's version"

out=$(k get namespaces 2>&1)
like "$out" "^NAME +STATUS +AGE" "get namespaces: Table columns"
for ns in default kube-system; do
	like "$out" "^$ns +Active " "namespace $ns"
done
out=$(k api-resources 2>&1)
like "$out" "^pods +po +v1 +true +Pod" "api-resources lists pods"

# create: client-side validation with /openapi/v2's definitions (protobuf)
out=$(k create -f "$m/pod.yaml" 2>&1); st=$?
is "$st" 0 "kubectl 1.20 create -f pod.yaml (validates with /openapi/v2)"
like "$out" "^pod/web created" "says it was created"
out=$(k create -f "$m/pod.yaml" 2>&1); st=$?
is "$st" 1 "creating it again fails"
like "$out" 'Error from server \(AlreadyExists\).*pods "web" already exists' "with AlreadyExists"
out=$(k explain deployment.spec.strategy 2>&1)
like "$out" "RESOURCE: strategy <Object>" "kubectl 1.20 explain reads /openapi/v2"
like "$out" "rollingUpdate" "with the fields"
printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: typo}\nspec:\n  replicas: "3"\n  selector: {matchLabels: {a: b}}\n  template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: i}]}}\n' >"$TMP/typed.yaml"
out=$(k create -f "$TMP/typed.yaml" 2>&1); st=$?
is "$st" 1 "a string where an integer belongs is refused by 1.20's validation"
like "$out" 'invalid type for io.k8s.api.apps.v1.DeploymentSpec.replicas: got "string", expected "integer"' "naming the type and field"
cat >"$TMP/unknown.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: unknown
  bogus: 1
data:
  a: "1"
EOF
out=$(k create -f "$TMP/unknown.yaml" 2>&1); st=$?
is "$st" 1 "an unknown field: 1.20 refuses it itself, from /openapi/v2's definitions"
like "$out" 'error validating data: ValidationError\(ConfigMap.metadata\): unknown field "bogus" in io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' \
	"with Kubernetes' client-side message"
out=$(k create --validate=false -f "$TMP/unknown.yaml" 2>&1); st=$?
is "$st" 0 "with --validate=false (no fieldValidation sent) the server accepts"
like "$out" 'Warning: unknown field "metadata.bogus"' "and warns about the field it dropped"
out=$(k get cm unknown -o yaml 2>&1)
unlike "$out" "bogus" "the unknown field is not stored"

out=$(k get pods 2>&1)
like "$out" "^NAME +READY +STATUS +RESTARTS +AGE" "get pods prints the Kubernetes columns"
like "$out" "^web +0/1 +Pending +0 +[0-9]+s" "and the pod row"
out=$(k get pods -o wide 2>&1)
like "$out" "^NAME +READY +STATUS +RESTARTS +AGE +IP +NODE +NOMINATED NODE +READINESS GATES" "get pods -o wide adds the wide columns"
out=$(k get pod web -o yaml 2>&1)
like "$out" "^kind: Pod" "get pod -o yaml"
like "$out" "^  uid: [0-9a-f-]{36}" "with a uid"
like "$out" "^  restartPolicy: Always" "and defaults"
out=$(k get pods -o yaml 2>&1)
like "$out" "^kind: List" "get pods -o yaml is a List"
like "$out" "^  kind: Pod" "of pods"
out=$(k get pods -A 2>&1)
like "$out" "^NAMESPACE +NAME +READY" "get pods -A has a NAMESPACE column"
like "$out" "^default +web " "with the pod's namespace"
out=$(k get pods -l app=web --show-labels 2>&1)
like "$out" "app=web,tier=frontend" "get pods -l app=web --show-labels"
out=$(k get pods -l app=nope 2>&1)
like "$out" "No resources found in default namespace" "a selector that matches nothing"
out=$(k get pods -o name 2>&1)
is "$out" "pod/web" "get pods -o name"

# apply: new (GET 404, POST), existing (strategic merge patch)
out=$(k apply -f "$m/deployment.yaml" 2>&1); st=$?
is "$st" 0 "kubectl 1.20 apply creates a deployment"
like "$out" "deployment.apps/api created" "says created"
out=$(k get deploy api -o yaml 2>&1)
like "$out" "kubectl.kubernetes.io/last-applied-configuration" "apply records last-applied-configuration"
sed 's/nginx:1/nginx:2/' "$m/deployment.yaml" >"$TMP/deploy2.yaml"
out=$(k apply -f "$TMP/deploy2.yaml" 2>&1); st=$?
is "$st" 0 "kubectl 1.20 apply of a changed image"
like "$out" "deployment.apps/api configured" "says configured"
out=$(k get deploy api -o jsonpath='{.spec.template.spec.containers[0].image} {.metadata.generation} {.spec.template.spec.containers[0].ports[0].containerPort}' 2>&1)
is "$out" "nginx:2 2 80" "the image changed, generation bumped, ports kept"
out=$(k apply -f "$TMP/deploy2.yaml" 2>&1)
like "$out" "deployment.apps/api unchanged" "applying the same manifest again: unchanged"

# scale: PATCH deployments/x/scale
out=$(k scale deployment api --replicas=3 2>&1); st=$?
is "$st" 0 "kubectl 1.20 scale"
like "$out" "deployment.apps/api scaled" "says scaled"
is "$(k get deploy api -o jsonpath='{.spec.replicas}' 2>&1)" "3" "replicas is 3"

# server-side apply
sed 's/name: api$/name: ssa/' "$m/deployment.yaml" >"$TMP/ssa.yaml"
out=$(k apply --server-side -f "$TMP/ssa.yaml" 2>&1); st=$?
is "$st" 0 "kubectl 1.20 apply --server-side creates when absent"
like "$out" "deployment.apps/ssa serverside-applied" "says serverside-applied"
sed 's/replicas: 2/replicas: 4/' "$TMP/ssa.yaml" >"$TMP/ssa4.yaml"
out=$(k apply --server-side -f "$TMP/ssa4.yaml" 2>&1); st=$?
is "$st" 0 "kubectl 1.20 apply --server-side on the object it owns"
is "$(k get deploy ssa -o jsonpath='{.spec.replicas}' 2>&1)" "4" "the change is applied"
out=$(k get deploy ssa -o yaml 2>&1)
like "$out" "manager: kubectl" "managedFields name kubectl"
like "$out" "operation: Apply" "as an Apply operation"

# describe: the pod, then its events by involvedObject field selectors
uid=$(k get pod web -o jsonpath='{.metadata.uid}')
cat >"$TMP/events.yaml" <<EOF
apiVersion: v1
kind: Event
metadata:
  name: web.1
involvedObject: {apiVersion: v1, kind: Pod, name: web, namespace: default, uid: "$uid"}
reason: Scheduled
message: Successfully assigned default/web to node-1
type: Normal
source: {component: default-scheduler}
count: 1
firstTimestamp: "2024-01-01T00:00:00Z"
lastTimestamp: "2024-01-01T00:00:00Z"
---
apiVersion: v1
kind: Event
metadata:
  name: other.1
involvedObject: {apiVersion: v1, kind: Pod, name: other, namespace: default, uid: 00000000-0000-0000-0000-000000000000}
reason: Killing
message: an event of another pod
type: Warning
source: {component: kubelet}
count: 1
firstTimestamp: "2024-01-01T00:00:00Z"
lastTimestamp: "2024-01-01T00:00:00Z"
EOF
out=$(k create -f "$TMP/events.yaml" 2>&1); st=$?
is "$st" 0 "events can be created"
out=$(k describe pod web 2>&1); st=$?
is "$st" 0 "kubectl 1.20 describe pod"
like "$out" "^Name: +web$" "describe: name"
like "$out" "^Labels: +app=web" "describe: labels"
like "$out" "^Status: +Pending" "describe: status"
like "$out" "^    Image: +busybox:1.36" "describe: the container's image"
like "$out" "^  Normal +Scheduled +[0-9a-z]+ +default-scheduler +Successfully assigned default/web to node-1" "describe: the pod's event"
unlike "$out" "another pod" "and not another pod's event"
out=$(k get events 2>&1)
like "$out" "Normal +Scheduled +pod/web" "get events"
like "$out" "Warning +Killing +pod/other" "lists every event of the namespace"

# logs: 1.20 omits container= (the server picks the only one); the pod
# is on no node, so its log is empty (tests/integration/pod_logs.sh reads
# real ones)
out=$(k logs web 2>&1); st=$?
is "$st:$out" "0:" "kubectl 1.20 logs of a pod on no node: empty"
out=$(k logs web -c nope 2>&1)
like "$out" "container nope is not valid for pod web" "an unknown container is refused (kubectl 1.20 checks it itself)"

# get -w: list, then watch; a label change and the deletion show
timeout 5 "$KUBECTL120" --kubeconfig "$KUBECONFIG_FILE" --cache-dir "$TMP/kcache" get pods -w >"$TMP/watch.out" 2>&1 &
wpid=$!
sleep 1.5
k label pod web extra=yes >/dev/null 2>&1
out=$(k delete pod web 2>&1); st=$?
wait $wpid
is "$st" 0 "kubectl 1.20 delete pod"
like "$out" 'pod "web" deleted' "says deleted"
like "$(cat "$TMP/watch.out")" "^web +0/1 +Pending" "kubectl 1.20 get -w shows the pod"
is "$(grep -c '^web ' "$TMP/watch.out")" 3 "and its two changes (label, delete)"
out=$(k get pod web 2>&1); st=$?
is "$st" 1 "the deleted pod is gone"
like "$out" 'Error from server \(NotFound\): pods "web" not found' "NotFound"

# delete waits by listing with fieldSelector=metadata.name=NAME: other
# objects in the list must not keep it waiting, the finalizer must.
cat >"$TMP/held.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: held
  finalizers: [example.com/hold]
data:
  a: "1"
EOF
k create -f "$TMP/held.yaml" >/dev/null 2>&1
(sleep 2; k patch cm held --type=merge -p '{"metadata":{"finalizers":null}}' >/dev/null 2>&1) &
ppid=$!
t0=$(date +%s)
out=$(timeout 20 "$KUBECTL120" --kubeconfig "$KUBECONFIG_FILE" --cache-dir "$TMP/kcache" delete cm held 2>&1); st=$?
t1=$(date +%s)
wait $ppid
is "$st" 0 "kubectl 1.20 delete of an object with a finalizer"
ok $([ $((t1 - t0)) -ge 1 ] && [ $((t1 - t0)) -le 10 ] && echo 0 || echo 1) "waits for the finalizer to go, not longer ($((t1 - t0))s)"
out=$(k delete cm unknown 2>&1); st=$?
is "$st" 0 "delete returns at once for an object without finalizers (the list by name is empty)"
out=$(k get cm 2>&1)
unlike "$out" "^(held|unknown) " "both are gone"

out=$(k delete -f "$m/deployment.yaml" 2>&1); st=$?
is "$st" 0 "kubectl 1.20 delete -f"
like "$out" 'deployment.apps "api" deleted' "says deleted"

out=$(k create -f "$m/multi.yaml" 2>&1); st=$?
is "$st" 0 "a multi-document manifest"
like "$out" "namespace/team-a created" "namespace created"
# no controller manager here: the namespace stays Terminating (namespace_delete.sh
# runs the namespace controller that empties and removes it)
out=$(k delete namespace team-a --wait=false 2>&1); st=$?
is "$st" 0 "kubectl 1.20 delete namespace"
out=$(k get namespace team-a --no-headers 2>&1)
like "$out" "team-a +Terminating" "the namespace is Terminating"

stop_server
tap_done
