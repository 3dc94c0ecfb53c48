#!/bin/sh
# The real kubectl (1.32) against a real `k8c server`: every command of
# API-NOTES.md, and the errors users see.
. "$top_srcdir/tests/lib.sh"
tap_tmpdir
. "$top_srcdir/tests/integration/server_lib.sh"

m="$top_srcdir/tests/integration/manifests"
start_server
k() { kubectl --kubeconfig "$KUBECONFIG_FILE" --cache-dir "$TMP/kcache" "$@"; }

out=$(k version -o json 2>&1)
like "$out" '"minor": "32"' "kubectl version: the server reports minor 32"
like "$out" '"gitVersion": "v1.32.0\+k8c-' "and a gitVersion naming k8c"

out=$(k get namespaces 2>&1)
for ns in default kube-system kube-public kube-node-lease; do
	like "$out" "^$ns +Active " "namespace $ns exists from the first start"
done

out=$(k api-resources 2>&1)
like "$out" "^pods +po +v1 +true +Pod" "api-resources lists pods with shortName po"
like "$out" "^deployments +deploy +apps/v1 +true +Deployment" "and deployments"

out=$(k create -f "$m/pod.yaml" 2>&1); st=$?
is "$st" 0 "kubectl create -f pod.yaml"
like "$out" "pod/web created" "says it was created"
out=$(k create -f "$m/pod.yaml" 2>&1); st=$?
is "$st" 1 "creating it again fails"
like "$out" 'Error from server \(AlreadyExists\).*pods "web" already exists' "with AlreadyExists"

out=$(k get pods 2>&1)
like "$out" "^NAME +READY +STATUS +RESTARTS +AGE" "get pods prints the Kubernetes columns"
like "$out" "^web +0/1 +Pending +0 +[0-9]+s" "and the pod row"
out=$(k get pod web -o json 2>&1)
like "$out" '"uid": "[0-9a-f-]{36}"' "the pod has a uid"
like "$out" '"resourceVersion": "[0-9]+"' "a resourceVersion"
like "$out" '"creationTimestamp": "20[0-9-]+T[0-9:]+Z"' "a creationTimestamp"
like "$out" '"restartPolicy": "Always"' "restartPolicy defaults to Always"
like "$out" '"terminationGracePeriodSeconds": 30' "terminationGracePeriodSeconds defaults to 30"
like "$out" '"dnsPolicy": "ClusterFirst"' "dnsPolicy defaults to ClusterFirst"
like "$out" '"phase": "Pending"' "a new pod is Pending"
out=$(k get pods -o yaml 2>&1)
like "$out" "^kind: List|^- apiVersion: v1" "get pods -o yaml"
out=$(k get pods -A 2>&1)
like "$out" "^NAMESPACE +NAME +READY" "get pods -A has a NAMESPACE column"
like "$out" "^default +web " "with the pod's namespace"
out=$(k get pods -l app=web --show-labels 2>&1)
like "$out" "app=web,tier=frontend" "get pods -l app=web --show-labels"
out=$(k get pods -l app=nope 2>&1)
like "$out" "No resources found in default namespace" "a selector that matches nothing"
out=$(k get pods -l 'tier in (frontend,backend)' 2>&1)
like "$out" "^web " "set-based selectors"
out=$(k get pods --field-selector status.phase=Pending 2>&1)
like "$out" "^web " "field selector status.phase"
out=$(k get pods --field-selector spec.nodeName=nowhere 2>&1)
like "$out" "No resources found" "field selector spec.nodeName"
out=$(k get pods --field-selector spec.bogus=1 2>&1)
like "$out" "field label not supported: spec.bogus" "an unsupported field selector is refused"

out=$(k apply -f "$m/deployment.yaml" 2>&1); st=$?
is "$st" 0 "kubectl apply creates a deployment"
like "$out" "deployment.apps/api created" "says created"
out=$(k get deploy api -o json 2>&1)
like "$out" 'kubectl.kubernetes.io/last-applied-configuration' "apply records last-applied-configuration"
like "$out" '"revisionHistoryLimit": 10' "deployment defaults: revisionHistoryLimit 10"
like "$out" '"progressDeadlineSeconds": 600' "progressDeadlineSeconds 600"
like "$out" '"maxSurge": "25%"' "rolling update maxSurge 25%"
like "$out" '"generation": 1' "generation 1"
sed 's/nginx:1/nginx:2/' "$m/deployment.yaml" > "$TMP/deploy2.yaml"
out=$(k apply -f "$TMP/deploy2.yaml" 2>&1); st=$?
is "$st" 0 "kubectl apply of a changed image (strategic merge patch)"
like "$out" "deployment.apps/api configured" "says configured"
out=$(k get deploy api -o jsonpath='{.spec.template.spec.containers[0].image} {.metadata.generation} {.spec.template.spec.containers[0].ports[0].containerPort}' 2>&1)
is "$out" "nginx:2 2 80" "the image changed, generation bumped, ports kept"
out=$(k scale deployment api --replicas=3 2>&1); st=$?
is "$st" 0 "kubectl scale"
is "$(k get deploy api -o jsonpath='{.spec.replicas}')" "3" "replicas is 3"
out=$(k apply --server-side -f "$m/deployment.yaml" 2>&1); st=$?
is "$st" 1 "apply --server-side of the original manifest conflicts with the later changes"
like "$out" 'Apply failed with 2 conflicts' "two conflicts"
like "$out" 'conflict with "kubectl" using apps/v1: .spec.replicas' "replicas, set by kubectl scale"
like "$out" 'conflict with "kubectl-client-side-apply" using apps/v1: .spec.template.spec.containers\[name="c"\].image' "the image, set by the client-side apply"
out=$(k apply --server-side --force-conflicts -f "$m/deployment.yaml" 2>&1); st=$?
is "$st" 0 "--force-conflicts takes the field over"
is "$(k get deploy api -o jsonpath='{.spec.replicas}')" "2" "and applies the value"
sed 's/name: api$/name: ssa/' "$m/deployment.yaml" > "$TMP/ssa.yaml"
out=$(k apply --server-side -f "$TMP/ssa.yaml" 2>&1); st=$?
is "$st" 0 "kubectl apply --server-side creates when absent"
out=$(k get deploy ssa -o json --show-managed-fields 2>&1)
like "$out" '"manager": "kubectl"' "and records managedFields for kubectl"
like "$out" '"operation": "Apply"' "as an Apply operation"

out=$(k create -f "$m/multi.yaml" 2>&1); st=$?
is "$st" 0 "a multi-document manifest"
like "$out" "configmap/settings created" "configmap created"
like "$out" "service/api created" "service created"
like "$out" "namespace/team-a created" "namespace created"
out=$(k get cm 2>&1)
like "$out" "^settings +2 +" "get configmaps: DATA column"
out=$(k create -n nowhere -f "$m/pod.yaml" 2>&1)
like "$out" 'NotFound.*namespaces "nowhere" not found' "creating in a missing namespace is 404"

out=$(k logs web 2>&1); st=$?
is "$st:$out" "0:" "kubectl logs of a pod no node runs: empty, as in Kubernetes"

timeout 5 kubectl --kubeconfig "$KUBECONFIG_FILE" --cache-dir "$TMP/kcache" get pods -w >"$TMP/watch.out" 2>&1 &
wpid=$!
sleep 1.5
k label pod web extra=yes >/dev/null 2>&1
k delete pod web >/dev/null 2>&1
wait $wpid
like "$(cat "$TMP/watch.out")" "^web +0/1 +Pending" "kubectl get -w shows the pod"
is "$(grep -c '^web ' "$TMP/watch.out")" 3 "and its two changes (label, delete)"

out=$(k get pod web 2>&1); st=$?
is "$st" 1 "the deleted pod is gone"
like "$out" 'Error from server \(NotFound\): pods "web" not found' "NotFound with Kubernetes' message"

# no controller manager here: the namespace stays Terminating (namespace_delete.sh
# runs the namespace controller that empties and removes it)
out=$(k delete namespace team-a --wait=false 2>&1); st=$?
is "$st" 0 "kubectl delete namespace"
out=$(k get namespace team-a --no-headers 2>&1)
like "$out" "team-a +Terminating" "the namespace is Terminating"

stop_server
tap_done
