#!/bin/sh
# More of what users do with kubectl 1.32 against a real `k8c server`:
# describe and events, get in every output format, explain, apply/delete of
# a directory, label/annotate, the three patch types, replace, edit, diff
# (server-side dry run), nodes (cordon, taint), raw paths, dry-run, forced
# and waited deletions, watch-only.  Real outputs are checked, not only exit
# codes.  Known server bugs are `# TODO` tests (they turn into XPASS, and so
# fail the suite, once the server is fixed: then drop the TODO).
. "$top_srcdir/tests/lib.sh"
if ! command -v kubectl >/dev/null 2>&1; then
	echo "1..0 # SKIP kubectl is not installed"
	exit 0
fi
tap_tmpdir
. "$top_srcdir/tests/integration/server_lib.sh"

# todo STATUS DESCRIPTION REASON: a test for a known server bug
todo() {
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2 # TODO $3"
	else
		echo "not ok $tap_n - $2 # TODO $3"
	fi
}

m="$top_srcdir/tests/integration/manifests"
# The API server alone: no scheduler binds, no controller adds pods, no
# node agent runs them, so what the tests see is what the clients did.
start_server --disable-agent --disable-scheduler --disable-controller-manager --disable-cloud-controller
k() { kubectl --kubeconfig "$KUBECONFIG_FILE" --cache-dir "$TMP/kcache" "$@"; }
kt() { t=$1; shift; timeout "$t" kubectl --kubeconfig "$KUBECONFIG_FILE" --cache-dir "$TMP/kcache" "$@"; }

k create -f "$m/pod.yaml" >/dev/null 2>&1
k apply -f "$m/deployment.yaml" >/dev/null 2>&1
uid=$(k get pod web -o jsonpath='{.metadata.uid}' 2>&1)
like "$uid" '^[0-9a-f-]{36}$' "setup: pod web and deployment api exist"
out=$(k get pod web -o jsonpath='{.metadata.managedFields[*].manager}/{.metadata.managedFields[*].operation}' --show-managed-fields 2>&1)
is "$out" "kubectl-create/Update" "create records managedFields for its fieldManager (an Update)"

# --- describe and events ----------------------------------------------------
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
  name: web.2
involvedObject: {apiVersion: v1, kind: Pod, name: web, namespace: default, uid: 11111111-2222-3333-4444-555555555555}
reason: Stale
message: an event of an older pod named web
type: Normal
source: {component: kubelet}
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
count: 3
firstTimestamp: "2024-01-01T00:00:00Z"
lastTimestamp: "2024-01-01T00:00:00Z"
EOF
out=$(k create -f "$TMP/events.yaml" 2>&1); st=$?
is "$st" 0 "create three events"
out=$(k describe pod web 2>&1); st=$?
is "$st" 0 "kubectl describe pod"
like "$out" "^Name: +web$" "describe: Name"
like "$out" "^Namespace: +default$" "describe: Namespace"
like "$out" "^Labels: +app=web$" "describe: Labels"
like "$out" "^Status: +Pending$" "describe: Status"
like "$out" "^    Image: +busybox:1.36$" "describe: the container's image"
like "$out" "^QoS Class: +BestEffort$" "describe: QoS class"
like "$out" "^  Type +Reason +Age +From +Message$" "describe: an Events table"
like "$out" "^  Normal +Scheduled +[0-9a-z]+ +default-scheduler +Successfully assigned default/web to node-1$" "with the pod's event (involvedObject name, namespace and uid)"
unlike "$out" "older pod" "not an event of another pod with the same name (uid differs)"
unlike "$out" "another pod" "nor of another pod"
out=$(k get events 2>&1)
like "$out" "^LAST SEEN +TYPE +REASON +OBJECT +MESSAGE$" "get events: columns"
like "$out" "Normal +Scheduled +pod/web +Successfully assigned" "the pod's event"
like "$out" "Warning +Killing +pod/other +an event of another pod" "the other pod's event"
out=$(k get events --field-selector involvedObject.name=other 2>&1)
like "$out" "Killing" "get events --field-selector involvedObject.name"
unlike "$out" "Scheduled" "selects by involvedObject.name"
out=$(k get events --field-selector type=Warning,reason=Killing -o name 2>&1)
is "$out" "event/other.1" "get events --field-selector type and reason"
out=$(k get events -o wide 2>&1)
like "$out" "SOURCE +MESSAGE +FIRST SEEN +COUNT +NAME" "get events -o wide: columns"
like "$out" "Killing +pod/other +kubelet +an event of another pod +[0-9a-z]+ +3 +other\.1" "and the wide row"

# --- get in every output format -------------------------------------------
cat >"$TMP/svc.yaml" <<'EOF'
apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  selector: {app: api}
  ports:
  - {name: http, port: 80, targetPort: 8080}
EOF
k create -f "$TMP/svc.yaml" >/dev/null 2>&1
out=$(k get all 2>&1); st=$?
is "$st" 0 "kubectl get all"
like "$out" "^pod/web +0/1 +Pending" "get all: the pod"
like "$out" "^service/api +ClusterIP " "get all: the service"
like "$out" "^deployment.apps/api +0/2 " "get all: the deployment"
out=$(k get svc kubernetes 2>&1)
like "$out" "^kubernetes +ClusterIP +10\.43\.0\.1 +<none> +443/TCP" "the default namespace has the apiserver's own service kubernetes at the first service IP"
out=$(k get endpoints kubernetes -o jsonpath='{.subsets[0].ports[0].port}' 2>&1)
is "$out" "$K8C_PORT" "its endpoints name the API server's port"
out=$(k get svc api -o jsonpath='{.spec.clusterIP} {.spec.clusterIPs[0]}' 2>&1)
like "$out" '^10\.43\.[0-9]+\.[0-9]+ 10\.43\.' "a ClusterIP service gets spec.clusterIP(s) allocated from the service CIDR"
out=$(k create service clusterip taken --tcp=80 --clusterip=10.43.0.1 2>&1)
like "$out" 'spec.clusterIPs: Invalid value: \["10.43.0.1"\]: failed to allocate IP 10.43.0.1: provided IP is already allocated' "an allocated cluster IP cannot be taken again"
out=$(k create service nodeport np --tcp=80:8080 2>&1)
like "$(k get svc np 2>&1)" "^np +NodePort +10\.43\.[0-9.]+ +<none> +80:3[0-9]{4}/TCP" "a NodePort service gets a node port from 30000-32767"

out=$(k get pods -o wide 2>&1)
like "$out" "^NAME +READY +STATUS +RESTARTS +AGE +IP +NODE +NOMINATED NODE +READINESS GATES$" "get pods -o wide: columns"
like "$out" "^web +0/1 +Pending +0 +[0-9a-z]+ +<none> +<none> +<none> +<none>$" "get pods -o wide: the row"
out=$(k get deploy -o wide 2>&1)
like "$out" "^NAME +READY +UP-TO-DATE +AVAILABLE +AGE +CONTAINERS +IMAGES +SELECTOR$" "get deployments -o wide: columns"
like "$out" "^api +0/2 +0 +0 +[0-9a-z]+ +c +nginx:1 +app=api$" "get deployments -o wide: containers, images, selector"
out=$(k get svc -o wide 2>&1)
like "$out" "^api +ClusterIP .* +80/TCP +[0-9a-z]+ +app=api$" "get services -o wide: ports and selector"
out=$(k get pods,deploy -o name 2>&1)
is "$out" "pod/web
deployment.apps/api" "get pods,deploy -o name"
out=$(k get pod web -o jsonpath='{.metadata.name} {.spec.containers[0].image} {.status.phase} {.metadata.labels.tier}' 2>&1)
is "$out" "web busybox:1.36 Pending frontend" "get -o jsonpath"
out=$(k get pods -o jsonpath='{range .items[*]}{.metadata.name}={.spec.restartPolicy}{"\n"}{end}' 2>&1)
is "$out" "web=Always" "get -o jsonpath with range over a list"
out=$(k get pods -o custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[0].image,NODE:.spec.nodeName 2>&1)
is "$out" "NAME   IMAGE          NODE
web    busybox:1.36   <none>" "get -o custom-columns"
out=$(k get pods -o go-template='{{range .items}}{{.metadata.name}} {{.metadata.namespace}} {{len .spec.containers}}{{"\n"}}{{end}}' 2>&1)
is "$out" "web default 1" "get -o go-template"
out=$(k get pods --sort-by=.metadata.name -o name 2>&1)
is "$out" "pod/web" "get --sort-by"

# --- explain (OpenAPI v3) -------------------------------------------------
out=$(k explain pods.spec.containers 2>&1); st=$?
is "$st" 0 "kubectl explain pods.spec.containers"
like "$out" "^KIND: +Pod$" "explain: KIND"
like "$out" "^VERSION: +v1$" "explain: VERSION"
like "$out" "^FIELD: +containers <\[\]Container>" "explain: the field and its type"
like "$out" "^  name	<string> -required-$" "explain: container name is required"
like "$out" "^  image	<string>$" "explain: image"
like "$out" "^  resources	<ResourceRequirements>$" "explain: resources"
out=$(k explain deployment.spec.replicas 2>&1)
like "$out" "^GROUP: +apps$" "explain deployment.spec.replicas: GROUP"
like "$out" "^FIELD: +replicas <integer>$" "explain deployment.spec.replicas: integer"
out=$(k explain pods.spec.nosuchfield 2>&1); st=$?
is "$st" 1 "explain of a field that does not exist fails"
like "$out" 'field "nosuchfield" does not exist' "and says so"

# --- apply -f DIR, delete -f DIR -------------------------------------------
mkdir -p "$TMP/dir"
cat >"$TMP/dir/cm.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: dircm
data:
  k: v
EOF
cat >"$TMP/dir/sa.yaml" <<'EOF'
apiVersion: v1
kind: ServiceAccount
metadata:
  name: dirsa
EOF
sed 's/name: api$/name: dirdeploy/' "$m/deployment.yaml" >"$TMP/dir/deploy.yaml"
out=$(k apply -f "$TMP/dir" 2>&1); st=$?
is "$st" 0 "kubectl apply -f DIR"
like "$out" "^configmap/dircm created$" "creates the configmap"
like "$out" "^serviceaccount/dirsa created$" "the serviceaccount"
like "$out" "^deployment.apps/dirdeploy created$" "and the deployment"
out=$(k apply -f "$TMP/dir" 2>&1)
is "$(printf '%s\n' "$out" | grep -c ' unchanged$')" 3 "applying the directory again: all unchanged"
sed -i 's/k: v/k: w/' "$TMP/dir/cm.yaml"
out=$(k apply -f "$TMP/dir" 2>&1)
like "$out" "^configmap/dircm configured$" "a changed file: configured"
is "$(k get cm dircm -o jsonpath='{.data.k}' 2>&1)" "w" "with the new data"
out=$(k delete -f "$TMP/dir" 2>&1); st=$?
is "$st" 0 "kubectl delete -f DIR"
like "$out" '^configmap "dircm" deleted' "deletes the configmap"
like "$out" '^deployment.apps "dirdeploy" deleted' "and the deployment"
out=$(k get cm,sa,deploy -o name 2>&1)
unlike "$out" "dircm|dirsa|dirdeploy" "they are gone"

# --- label, annotate --------------------------------------------------------
out=$(k label pod web tier=backend 2>&1); st=$?
is "$st" 1 "label: changing a label needs --overwrite"
like "$out" "'tier' already has a value \(frontend\), and --overwrite is false" "with kubectl's message"
out=$(k label pod web tier=backend --overwrite 2>&1)
like "$out" "^pod/web labeled$" "label --overwrite"
out=$(k label pod web app- 2>&1)
like "$out" "^pod/web unlabeled$" "label KEY- removes a label"
is "$(k get pod web -o jsonpath='{.metadata.labels}' 2>&1)" '{"tier":"backend"}' "labels after overwrite and removal"
out=$(k label pod web 'bad key=x' 2>&1); st=$?
is "$st" 1 "an invalid label key is refused"
out=$(k label pod web 'ok=-bad-' 2>&1); st=$?
is "$st" 1 "an invalid label value is refused (by kubectl)"
out=$(k patch pod web --type=merge -p '{"metadata":{"labels":{"ok":"-bad-"}}}' 2>&1); st=$?
is "$st" 1 "and by the server"
like "$out" 'The Pod "web" is invalid: metadata.labels: Invalid value: "-bad-": a valid label must be' "with Kubernetes' field error"
out=$(k annotate pod web note=hello 2>&1)
like "$out" "^pod/web annotated$" "annotate"
out=$(k annotate pod web note=bye 2>&1); st=$?
is "$st" 1 "annotate: changing needs --overwrite"
k annotate pod web note=bye --overwrite >/dev/null 2>&1
is "$(k get pod web -o jsonpath='{.metadata.annotations.note}' 2>&1)" "bye" "annotate --overwrite"
k annotate pod web note- >/dev/null 2>&1
out=$(k get pod web -o jsonpath='{.metadata.annotations}' 2>&1)
like "$out" '^(\{\})?$' "annotate KEY- removes the annotation"
[ -z "$out" ]
ok $? "and leaves no empty annotations map (omitempty)"
out=$(k get pods -l tier=backend -o name 2>&1)
is "$out" "pod/web" "the new label selects the pod"

# --- patch ------------------------------------------------------------------
out=$(k patch pod web --type=merge -p '{"metadata":{"labels":{"m":"1"}}}' 2>&1)
like "$out" "^pod/web patched$" "patch --type=merge"
rv=$(k get pod web -o jsonpath='{.metadata.resourceVersion}' 2>&1)
out=$(k patch pod web --type=merge -p '{"metadata":{"labels":{"m":"1"}}}' 2>&1)
like "$out" "^pod/web patched" "the same merge patch again"
printf '%s\n' "$out" | grep -q "^pod/web patched (no change)$"
ok $? "says (no change): a no-op write keeps the resourceVersion"
is "$(k get pod web -o jsonpath='{.metadata.resourceVersion}' 2>&1)" "$rv" "the resourceVersion did not move"
out=$(k patch pod web --type=json -p '[{"op":"add","path":"/metadata/labels/j","value":"2"},{"op":"replace","path":"/spec/containers/0/image","value":"busybox:1.37"}]' 2>&1)
like "$out" "^pod/web patched$" "patch --type=json"
is "$(k get pod web -o jsonpath='{.metadata.labels.j} {.spec.containers[0].image}' 2>&1)" "2 busybox:1.37" "both operations applied"
out=$(k patch pod web --type=json -p '[{"op":"test","path":"/metadata/name","value":"nope"}]' 2>&1); st=$?
is "$st" 1 "a failing JSON patch test operation is refused"
out=$(k patch deploy api --type=strategic -p '{"spec":{"template":{"spec":{"containers":[{"name":"side","image":"redis:7"}]}}}}' 2>&1)
like "$out" "^deployment.apps/api patched$" "patch --type=strategic (a new container)"
is "$(k get deploy api -o jsonpath='{.spec.template.spec.containers[*].name}' 2>&1)" "side c" "merged by name, as Kubernetes orders them"
k patch deploy api --type=strategic -p '{"spec":{"template":{"spec":{"containers":[{"name":"side","$patch":"delete"}]}}}}' >/dev/null 2>&1
is "$(k get deploy api -o jsonpath='{.spec.template.spec.containers[*].name}' 2>&1)" "c" "\$patch: delete removes it"
out=$(k patch pod web --type=merge -p '{"spec":{"restartPolicy":"Never"}}' 2>&1); st=$?
is "$st" 1 "a patch to an immutable pod field is refused"
like "$out" 'The Pod "web" is invalid: spec: Forbidden: pod updates may not change fields' "with Kubernetes' message"
out=$(k set image deploy/api c=nginx:3 2>&1)
like "$out" "image updated" "kubectl set image"
is "$(k get deploy api -o jsonpath='{.spec.template.spec.containers[0].image}' 2>&1)" "nginx:3" "the image is set"

# --- replace, edit ----------------------------------------------------------
k create -f "$m/multi.yaml" >/dev/null 2>&1
sed -n '1,/^---/p' "$m/multi.yaml" | sed '/^---/d; s/color: blue/color: red/' >"$TMP/cm2.yaml"
out=$(k replace -f "$TMP/cm2.yaml" 2>&1); st=$?
is "$st" 0 "kubectl replace -f"
like "$out" "^configmap/settings replaced$" "says replaced"
is "$(k get cm settings -o jsonpath='{.data.color}' 2>&1)" "red" "the data is replaced"
sed 's/name: settings/name: nosuch/' "$TMP/cm2.yaml" >"$TMP/cm3.yaml"
out=$(k replace -f "$TMP/cm3.yaml" 2>&1); st=$?
is "$st" 1 "replace of an object that does not exist fails"
like "$out" 'NotFound.*configmaps "nosuch" not found' "with NotFound"
cat >"$TMP/editor.sh" <<'EOF'
#!/bin/sh
sed -i 's/color: red/color: green/' "$1"
EOF
chmod +x "$TMP/editor.sh"
out=$(EDITOR="$TMP/editor.sh" k edit cm settings 2>&1); st=$?
is "$st" 0 "kubectl edit (EDITOR is a sed script)"
like "$out" "^configmap/settings edited$" "says edited"
is "$(k get cm settings -o jsonpath='{.data.color}' 2>&1)" "green" "the edit is stored"
out=$(EDITOR=true k edit cm settings 2>&1); st=$?
like "$out" "Edit cancelled, no changes made" "an edit that changes nothing sends nothing"

# --- diff (PATCH ?dryRun=All) -----------------------------------------------
k apply -f "$m/deployment.yaml" >/dev/null 2>&1
sed 's/app: api/app: api/' "$m/deployment.yaml" >"$TMP/same.yaml"
out=$(k diff -f "$TMP/same.yaml" 2>&1); st=$?
is "$st" 0 "kubectl diff of an applied, unchanged manifest exits 0"
is "$out" "" "and prints nothing"
sed 's/replicas: 2/replicas: 5/' "$m/deployment.yaml" >"$TMP/more.yaml"
out=$(k diff -f "$TMP/more.yaml" 2>&1); st=$?
is "$st" 1 "kubectl diff of a changed manifest exits 1"
like "$out" "^-  replicas: [0-9]+$" "the diff shows the live value"
like "$out" "^\+  replicas: 5$" "and the new one"
unlike "$(k get deploy api -o jsonpath='{.spec.replicas}' 2>&1)" "^5$" "the diff stored nothing (dry run)"
sed 's/name: api$/name: brandnew/' "$m/deployment.yaml" >"$TMP/new.yaml"
out=$(k diff -f "$TMP/new.yaml" 2>&1); st=$?
is "$st" 1 "kubectl diff of a new object exits 1"
like "$out" "^\+  name: brandnew$" "and shows the whole object as added"
out=$(k get deploy brandnew 2>&1)
like "$out" "NotFound" "the new object is not created (dry-run create)"
cat >"$TMP/plain.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: plain
data:
  a: "1"
EOF
k create -f "$TMP/plain.yaml" >/dev/null 2>&1
out=$(k diff -f "$TMP/plain.yaml" 2>&1); st=$?
is "$st" 0 "kubectl diff of an unchanged object made by kubectl create exits 0"
out=$(api POST /api/v1/namespaces/default/configmaps -H 'Content-Type: application/json' \
	-d '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"empties","labels":{},"annotations":{}},"data":{}}')
like "$out" '"name":"empties"' "POST of a configmap with empty maps"
printf '%s' "$out" | grep -Eq '"(labels|annotations|data)":\{\}'
ok $((1 - $?)) "empty labels, annotations and data maps are not stored"

# --- nodes: cordon, uncordon, taint -----------------------------------------
cat >"$TMP/node.yaml" <<'EOF'
apiVersion: v1
kind: Node
metadata:
  name: node-1
  labels: {kubernetes.io/hostname: node-1}
EOF
out=$(k create -f "$TMP/node.yaml" 2>&1); st=$?
is "$st" 0 "create a Node object (no kubelet needed)"
out=$(k get nodes 2>&1)
like "$out" "^node-1 +Unknown +<none> +[0-9a-z]+ *$" "get nodes: a node without conditions is Unknown"
out=$(k cordon node-1 2>&1)
like "$out" "^node/node-1 cordoned$" "kubectl cordon"
is "$(k get node node-1 -o jsonpath='{.spec.unschedulable}' 2>&1)" "true" "spec.unschedulable is true"
like "$(k get nodes 2>&1)" "^node-1 +Unknown,SchedulingDisabled " "get nodes shows SchedulingDisabled"
out=$(k cordon node-1 2>&1)
like "$out" "^node/node-1 already cordoned$" "cordon again: already cordoned"
out=$(k uncordon node-1 2>&1)
like "$out" "^node/node-1 uncordoned$" "kubectl uncordon"
is "$(k get node node-1 -o jsonpath='{.spec.unschedulable}' 2>&1)" "" "spec.unschedulable is gone"
out=$(k taint nodes node-1 dedicated=gpu:NoSchedule 2>&1)
like "$out" "^node/node-1 tainted$" "kubectl taint"
is "$(k get node node-1 -o jsonpath='{.spec.taints}' 2>&1)" '[{"effect":"NoSchedule","key":"dedicated","value":"gpu"}]' "the taint is stored"
out=$(k taint nodes node-1 dedicated=cpu:NoSchedule 2>&1); st=$?
is "$st" 1 "the same taint key and effect again needs --overwrite"
out=$(k taint nodes node-1 dedicated=cpu:NoSchedule --overwrite 2>&1)
like "$out" "^node/node-1 modified$" "taint --overwrite"
is "$(k get node node-1 -o jsonpath='{.spec.taints[0].value}' 2>&1)" "cpu" "the taint's value changed"
out=$(k taint nodes node-1 dedicated:NoSchedule- 2>&1)
like "$out" "^node/node-1 untainted$" "removing the taint"
is "$(k get node node-1 -o jsonpath='{.spec.taints}' 2>&1)" "" "no taints left"
out=$(k taint nodes node-1 bad=x:Sometimes 2>&1); st=$?
is "$st" 1 "an unknown taint effect is refused"
out=$(k describe node node-1 2>&1)
like "$out" "^Taints: +<none>$" "describe node: Taints"
like "$out" "^Unschedulable: +false$" "describe node: Unschedulable"

# --- discovery and raw paths ------------------------------------------------
out=$(k api-versions 2>&1)
for gv in v1 apps/v1 batch/v1 coordination.k8s.io/v1 discovery.k8s.io/v1 events.k8s.io/v1 rbac.authorization.k8s.io/v1; do
	like "$out" "^$gv$" "api-versions lists $gv"
done
is "$(k get --raw /healthz 2>&1)" "ok" "get --raw /healthz"
is "$(k get --raw /livez 2>&1)" "ok" "get --raw /livez"
is "$(k get --raw /readyz 2>&1)" "ok" "get --raw /readyz"
out=$(k get --raw /version 2>&1)
like "$out" '"major": ?"1"' "get --raw /version: major"
like "$out" '"minor": ?"32"' "minor"
out=$(k get --raw /api/v1/namespaces/default/pods/web 2>&1)
like "$out" '"name": ?"web"' "get --raw of an object path"
out=$(k get --raw /nope 2>&1); st=$?
is "$st" 1 "get --raw of an unknown path fails"
like "$out" "NotFound" "with NotFound"

# --- dry run --------------------------------------------------------------
sed 's/name: web/name: dry/' "$m/pod.yaml" >"$TMP/dry.yaml"
out=$(k create -f "$TMP/dry.yaml" --dry-run=server 2>&1); st=$?
is "$st" 0 "create --dry-run=server"
like "$out" "^pod/dry created \(server dry run\)$" "says server dry run"
out=$(k get pod dry 2>&1)
like "$out" 'NotFound' "nothing was stored"
out=$(k create -f "$TMP/dry.yaml" --dry-run=server -o jsonpath='{.spec.restartPolicy} {.status.phase} {.metadata.uid}' 2>&1)
like "$out" "^Always Pending [0-9a-f-]{36}$" "the dry-run answer is defaulted, prepared and has a uid"
out=$(k create -f "$m/pod.yaml" --dry-run=server 2>&1); st=$?
printf '%s\n' "$out" | grep -q 'Error from server (AlreadyExists): .*pods "web" already exists'
ok $? "a dry-run create of an existing name is AlreadyExists"
out=$(k delete pod web --dry-run=server 2>&1)
like "$out" '^pod "web" deleted \(server dry run\)$' "delete --dry-run=server"
like "$(k get pod web 2>&1)" "^web " "the pod is still there"
out=$(k label pod web dry=yes --dry-run=server 2>&1)
like "$out" "^pod/web labeled \(server dry run\)$" "label --dry-run=server"
is "$(k get pod web -o jsonpath='{.metadata.labels.dry}' 2>&1)" "" "the label is not stored"

# --- deletion: forced, waited ----------------------------------------------
cat >"$TMP/bound.yaml" <<'EOF'
apiVersion: v1
kind: Pod
metadata:
  name: bound
spec:
  nodeName: node-1
  containers:
  - {name: c, image: busybox}
EOF
k create -f "$TMP/bound.yaml" >/dev/null 2>&1
like "$(k get pods -o wide 2>&1)" "^bound +0/1 +Pending .* node-1 " "get -o wide shows the pod's node"
out=$(k delete pod bound --wait=false 2>&1)
like "$out" '^pod "bound" deleted$' "delete --wait=false of a pod on a node"
is "$(k get pod bound -o jsonpath='{.metadata.deletionGracePeriodSeconds}' 2>&1)" "30" "it is terminating with the default grace period"
like "$(k get pod bound 2>&1)" "^bound +0/1 +Terminating " "get shows Terminating"
out=$(k delete pod bound --grace-period=0 --force 2>&1); st=$?
is "$st" 0 "delete --grace-period=0 --force"
like "$out" '^pod "bound" force deleted$' "says force deleted"
like "$(k get pod bound 2>&1)" 'NotFound' "the pod is gone at once"

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
(sleep 2; k patch cm held --type=json -p '[{"op":"remove","path":"/metadata/finalizers"}]' >/dev/null 2>&1) &
ppid=$!
t0=$(date +%s)
out=$(kt 30 delete cm held --wait=true 2>&1); st=$?
t1=$(date +%s)
wait $ppid
is "$st" 0 "delete --wait on an object with a finalizer"
ok $([ $((t1 - t0)) -ge 1 ] && [ $((t1 - t0)) -le 15 ] && echo 0 || echo 1) "returns once the finalizer is removed ($((t1 - t0))s)"
like "$(k get cm held 2>&1)" 'NotFound' "and the object is gone"
sed 's/name: held/name: held2/' "$TMP/held.yaml" >"$TMP/held2.yaml"
k create -f "$TMP/held2.yaml" >/dev/null 2>&1
out=$(kt 30 delete cm held2 --timeout=2s 2>&1); st=$?
is "$st" 1 "delete --timeout while a finalizer holds the object"
like "$out" "timed out waiting for the condition on configmaps/held2" "times out"
like "$(k get cm held2 -o jsonpath='{.metadata.deletionTimestamp}' 2>&1)" '^20[0-9-]+T' "the object has a deletionTimestamp"
out=$(kt 30 wait --for=delete cm/held2 --timeout=1s 2>&1); st=$?
is "$st" 1 "wait --for=delete times out while the finalizer stays"
(sleep 1.5; k patch cm held2 --type=merge -p '{"metadata":{"finalizers":null}}' >/dev/null 2>&1) &
ppid=$!
out=$(kt 30 wait --for=delete cm/held2 --timeout=20s 2>&1); st=$?
wait $ppid
is "$st" 0 "wait --for=delete returns once the object goes"
like "$out" "^configmap/held2 condition met$" "says condition met"

# --- watch-only with a request timeout ---------------------------------------
t0=$(date +%s)
kt 20 get pods --watch-only --request-timeout=3s >"$TMP/wo.out" 2>"$TMP/wo.err" &
wpid=$!
sleep 1
k label pod web watched=yes >/dev/null 2>&1
sleep 0.3
k delete pod web --wait=false >/dev/null 2>&1
wait $wpid; st=$?
t1=$(date +%s)
is "$st" 0 "get --watch-only --request-timeout=3s exits 0"
ok $([ $((t1 - t0)) -ge 2 ] && [ $((t1 - t0)) -le 10 ] && echo 0 || echo 1) "after about 3s ($((t1 - t0))s)"
is "$(grep -c '^web ' "$TMP/wo.out")" 2 "only the changes (label, delete), not the initial list"

# --- imperative create commands (kubectl 1.32 sends protobuf) ----------------
out=$(k create configmap lit --from-literal=a=1 2>&1); st=$?
is "$st" 0 "kubectl create configmap --from-literal (protobuf body)"
out=$(k create namespace made 2>&1); st=$?
is "$st" 0 "kubectl create namespace (protobuf body)"
out=$(k create deployment made --image=nginx 2>&1); st=$?
is "$st" 0 "kubectl create deployment (protobuf body)"
out=$(k run r1 --image=nginx:1 2>&1); st=$?
is "$st" 0 "kubectl run (JSON body)"
like "$out" "^pod/r1 created$" "says created"

stop_server
tap_done
