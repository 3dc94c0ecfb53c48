#!/bin/sh
# The real kubectl (1.32) typed commands against a real `k8c server`: they
# send their objects as Kubernetes protobuf (application/vnd.kubernetes.
# protobuf), which core/apiserver/protobuf.c decodes.  Each object is
# checked with `kubectl get -o json`, and compared with the same object
# sent as JSON (--dry-run=client -o json | kubectl create -f -).
. "$top_srcdir/tests/lib.sh"
if ! command -v kubectl >/dev/null 2>&1; then
	echo "1..0 # SKIP kubectl is not installed"
	exit 0
fi
tap_tmpdir
. "$top_srcdir/tests/integration/server_lib.sh"

start_server
k() { kubectl --kubeconfig "$KUBECONFIG_FILE" --cache-dir "$TMP/kcache" "$@"; }
# jsonpath of an object: jp KIND NAME PATH [-n NS]
jp() { kind=$1 name=$2 path=$3; shift 3; k get "$kind" "$name" -o jsonpath="$path" "$@" 2>&1; }

# --- the body is protobuf ---------------------------------------------------------
out=$(k create configmap cm1 --from-literal=a=b --from-literal=empty= -v=8 2>&1); st=$?
is "$st" 0 "kubectl create configmap"
like "$out" "Content-Type: application/vnd.kubernetes.protobuf" "kubectl sent protobuf"
like "$out" "configmap/cm1 created" "and the server created the configmap"
is "$(jp cm cm1 '{.data.a}|{.data.empty}|{.metadata.namespace}')" "b||default" \
	"the stored configmap: data (an empty value too), namespace"
like "$(k get cm cm1 -o json)" '"creationTimestamp": "20[0-9-]+T[0-9:]+Z"' \
	"the server set creationTimestamp (the empty one from protobuf was left out)"

printf 'bin\000\377\001' > "$TMP/blob"
out=$(k create configmap cm2 --from-file=blob="$TMP/blob" 2>&1); st=$?
is "$st" 0 "kubectl create configmap --from-file with binary content"
is "$(jp cm cm2 '{.binaryData.blob}')" "YmluAP8B" "binaryData holds the bytes as base64"

# --- kinds ------------------------------------------------------------------------------
out=$(k create namespace typed 2>&1); st=$?
is "$st" 0 "kubectl create namespace"
is "$(jp ns typed '{.status.phase}')" "Active" "the namespace is Active"

out=$(k create secret generic s1 --from-literal=user=admin --from-file=blob="$TMP/blob" 2>&1); st=$?
is "$st" 0 "kubectl create secret generic"
is "$(jp secret s1 '{.type}|{.data.user}|{.data.blob}')" "Opaque|YWRtaW4=|YmluAP8B" \
	"secret type and data ([]byte as base64)"
out=$(k create secret docker-registry reg --docker-server=r.example --docker-username=u \
	--docker-password=p 2>&1); st=$?
is "$st" 0 "kubectl create secret docker-registry"
is "$(jp secret reg '{.type}')" "kubernetes.io/dockerconfigjson" "with its type"

out=$(k create deployment web --image=nginx:1.25 --replicas=2 --port=80 2>&1); st=$?
is "$st" 0 "kubectl create deployment"
is "$(jp deploy web '{.spec.replicas}|{.spec.selector.matchLabels.app}|{.spec.template.metadata.labels.app}')" \
	"2|web|web" "replicas, selector and template labels"
is "$(jp deploy web '{.spec.template.spec.containers[0].image}|{.spec.template.spec.containers[0].ports[0].containerPort}')" \
	"nginx:1.25|80" "container image and port"
is "$(jp deploy web '{.spec.strategy.rollingUpdate.maxSurge}|{.spec.progressDeadlineSeconds}')" \
	"25%|600" "defaults applied after decoding"
out=$(k create deployment zero --image=nginx --replicas=0 2>&1); st=$?
is "$st" 0 "kubectl create deployment --replicas=0"
is "$(jp deploy zero '{.spec.replicas}')" "0" "replicas 0 is kept (a pointer field), not defaulted to 1"

out=$(k create service clusterip svc1 --tcp=80:8080 --tcp=443:https 2>&1); st=$?
is "$st" 0 "kubectl create service clusterip"
is "$(jp svc svc1 '{.spec.ports[0].port}:{.spec.ports[0].targetPort}|{.spec.ports[1].port}:{.spec.ports[1].targetPort}')" \
	"80:8080|443:https" "targetPort as a number and as a name (IntOrString)"
is "$(jp svc svc1 '{.spec.type}|{.spec.selector.app}')" "ClusterIP|svc1" "type and selector"
out=$(k create service nodeport np1 --tcp=80:80 --node-port=30080 2>&1); st=$?
is "$st" 0 "kubectl create service nodeport"
is "$(jp svc np1 '{.spec.type}|{.spec.ports[0].nodePort}')" "NodePort|30080" "with its nodePort"

out=$(k create job j1 --image=busybox -- sh -c 'echo hi' 2>&1); st=$?
is "$st" 0 "kubectl create job"
is "$(jp job j1 '{.spec.template.spec.restartPolicy}|{.spec.template.spec.containers[0].command}')" \
	'Never|["sh","-c","echo hi"]' "restartPolicy and command"
out=$(k create cronjob cj1 --image=busybox --schedule='*/5 * * * *' -- date 2>&1); st=$?
is "$st" 0 "kubectl create cronjob"
is "$(jp cronjob cj1 '{.spec.schedule}|{.spec.jobTemplate.spec.template.spec.restartPolicy}')" \
	"*/5 * * * *|OnFailure" "schedule and job template"

out=$(k create role r1 --verb=get,list --resource=pods,deployments.apps 2>&1); st=$?
is "$st" 0 "kubectl create role"
is "$(jp role r1 '{.rules[0].verbs}|{.rules[0].apiGroups}|{.rules[1].apiGroups}')" \
	'["get","list"]|[""]|["apps"]' "rules, with the empty core group kept in a list"
out=$(k create rolebinding rb1 --role=r1 --user=alice --serviceaccount=default:sa1 2>&1); st=$?
is "$st" 0 "kubectl create rolebinding"
is "$(jp rolebinding rb1 '{.roleRef.kind}/{.roleRef.name}|{.subjects[0].kind}:{.subjects[0].name}|{.subjects[1].kind}:{.subjects[1].namespace}')" \
	"Role/r1|User:alice|ServiceAccount:default" "roleRef and subjects"
out=$(k create clusterrole cr1 --verb=get --resource=nodes --non-resource-url=/healthz --verb=get 2>&1); st=$?
is "$st" 0 "kubectl create clusterrole"
is "$(jp clusterrole cr1 '{.rules[*].verbs[0]}')" "get get" "its rules"
out=$(k create clusterrolebinding crb1 --clusterrole=cr1 --group=ops 2>&1); st=$?
is "$st" 0 "kubectl create clusterrolebinding"
is "$(jp clusterrolebinding crb1 '{.subjects[0].kind}:{.subjects[0].name}')" "Group:ops" "its subject"
out=$(k create serviceaccount sa1 2>&1); st=$?
is "$st" 0 "kubectl create serviceaccount"
like "$(k get sa 2>&1)" "^sa1 " "the service account is listed"

out=$(k run p1 --image=nginx --labels=app=p1,tier=web --env=MODE=test --port=8080 2>&1); st=$?
is "$st" 0 "kubectl run"
is "$(jp pod p1 '{.metadata.labels.tier}|{.spec.containers[0].env[0].name}={.spec.containers[0].env[0].value}|{.spec.containers[0].ports[0].containerPort}')" \
	"web|MODE=test|8080" "labels, env and port of the pod"
out=$(k run p2 --image=busybox --restart=Never --command -- sleep 3600 2>&1); st=$?
is "$st" 0 "kubectl run --restart=Never --command"
is "$(jp pod p2 '{.spec.restartPolicy}|{.spec.containers[0].command}')" 'Never|["sleep","3600"]' \
	"restartPolicy and command"

out=$(k expose deployment web --port=8080 --target-port=80 --name=websvc 2>&1); st=$?
is "$st" 0 "kubectl expose deployment"
is "$(jp svc websvc '{.spec.selector.app}|{.spec.ports[0].port}:{.spec.ports[0].targetPort}')" \
	"web|8080:80" "the service selects the deployment's pods"
out=$(k expose pod p1 --port=80 --name=p1svc 2>&1); st=$?
is "$st" 0 "kubectl expose pod"

# --- changes to protobuf-created objects (JSON patches) ----------------------------------------
out=$(k label deployment web team=blue 2>&1); st=$?
is "$st" 0 "kubectl label"
is "$(jp deploy web '{.metadata.labels.team}')" "blue" "the label is set"
out=$(k annotate configmap cm1 note=hello 2>&1); st=$?
is "$st" 0 "kubectl annotate"
is "$(jp cm cm1 '{.metadata.annotations.note}')" "hello" "the annotation is set"
out=$(k set image deployment/web nginx=nginx:1.27 2>&1); st=$?
is "$st" 0 "kubectl set image"
is "$(jp deploy web '{.spec.template.spec.containers[0].image}|{.metadata.generation}')" \
	"nginx:1.27|2" "the image changed and generation bumped"

# --- protobuf and JSON give the same object ----------------------------------------------------
norm() {
	python3 -c '
import json, sys
d = json.load(sys.stdin)
m = d.get("metadata", {})
for k in ("uid", "resourceVersion", "creationTimestamp", "namespace", "managedFields",
          "generation", "selfLink"):
    m.pop(k, None)
d.pop("status", None)
def strip(o):
    if isinstance(o, dict):
        for k in list(o):
            if k in ("controller-uid", "batch.kubernetes.io/controller-uid", "clusterIP",
                     "clusterIPs"):
                del o[k]
            else:
                strip(o[k])
    elif isinstance(o, list):
        for x in o:
            strip(x)
strip(d)
print(json.dumps(d, sort_keys=True))'
}
if command -v python3 >/dev/null 2>&1; then
	k create namespace viajson >/dev/null 2>&1
	while IFS='|' read -r kind name args; do
		# @DRY@ marks where the dry-run flags go (before a "--").
		case $args in *@DRY@*) ;; *) args="$args @DRY@" ;; esac
		eval "set -- $(echo "$args" | sed 's/@DRY@//')"
		k -n typed create "$@" >/dev/null 2>&1
		eval "set -- $(echo "$args" | sed 's/@DRY@/--dry-run=client -o json/')"
		k -n viajson create "$@" > "$TMP/obj.json" 2>/dev/null
		k -n viajson create -f "$TMP/obj.json" >/dev/null 2>&1
		a=$(k -n typed get "$kind" "$name" -o json 2>&1 | norm 2>&1)
		b=$(k -n viajson get "$kind" "$name" -o json 2>&1 | norm 2>&1)
		if [ -n "$a" ] && [ "$a" = "$b" ]; then ok 0 "$kind $name: protobuf and JSON bodies store the same object"; else
			ok 1 "$kind $name: protobuf and JSON bodies store the same object"
			echo "#   protobuf: $a"; echo "#   json:     $b"
		fi
	done <<'EOF'
configmap|c|configmap c --from-literal=a=b --from-literal=e=
secret|s|secret generic s --from-literal=p=q --from-literal=empty=
deployment|d|deployment d --image=nginx --replicas=0 --port=8080
deployment|d2|deployment d2 --image=busybox --replicas=3 @DRY@ -- sleep 10
service|sv|service clusterip sv --tcp=80:http --tcp=443:8443
service|none|service clusterip none --clusterip=None --tcp=80:80
job|j|job j --image=busybox
cronjob|cj|cronjob cj --image=busybox --schedule=@hourly
role|r|role r --verb=get --resource=pods --resource-name=a
rolebinding|rb|rolebinding rb --clusterrole=view --serviceaccount=typed:sa --group=g
serviceaccount|sa|serviceaccount sa
EOF
else
	ok 0 "# SKIP python3 is not installed: no protobuf/JSON comparison"
fi

# --- bodies kubectl would never send ------------------------------------------------------------
printf 'k8s\000\012\377' > "$TMP/bad.pb"
out=$(api POST /api/v1/namespaces/default/configmaps -H 'Content-Type: application/vnd.kubernetes.protobuf' \
	--data-binary @"$TMP/bad.pb" -w ' %{http_code}' 2>&1)
like "$out" ' 400$' "a truncated protobuf body is 400 BadRequest"
like "$out" 'invalid protobuf body' "saying the protobuf body is invalid"
out=$(api POST /api/v1/namespaces/default/configmaps -H 'Content-Type: application/vnd.kubernetes.protobuf' \
	--data-binary '{"metadata":{"name":"j"}}' -w ' %{http_code}' 2>&1)
like "$out" ' 400$' "JSON sent as protobuf is 400"
like "$out" 'k8s\\\\0' "naming the missing prefix"
out=$(api POST /api/v1/namespaces/default/configmaps -H 'Content-Type: application/cbor' \
	--data-binary @"$TMP/bad.pb" -w ' %{http_code}' 2>&1)
like "$out" ' 415$' "CBOR is still 415 UnsupportedMediaType"

stop_server
tap_done
