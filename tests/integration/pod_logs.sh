#!/bin/sh
# kubectl logs: the API server's pods/log relays the kubelet's log endpoint
# (k8c server with its embedded agent, process runtime, busybox image),
# with kubectl 1.32, kubectl 1.20 (when installed), python3-kubernetes and
# curl.  Needs root (namespaces, cgroups, mounts).
. "$top_srcdir/tests/lib.sh"
tap_tmpdir
if [ "$(id -u)" != 0 ] || ! [ -x /bin/busybox ]; then
	echo "1..0 # SKIP needs root and Debian's busybox-static"
	exit 0
fi
. "$top_srcdir/tests/integration/server_lib.sh"

sh "$top_srcdir/contrib/images/busybox.sh" "$TMP/busybox.tar" >/dev/null 2>&1
"$K8C" image import busybox "$TMP/busybox.tar" --data-dir "$TMP/data" >/dev/null
ok $? "busybox image imported"
K8C_WITH_AGENT=1 start_server --node-name lnode --kubelet-port 0
# at exit: every pod's processes (their shims carry the server's command line)
tap_at_exit 'for p in $(pgrep -f "server --data-dir $TMP/data"); do kill -9 $p; done 2>/dev/null'
export KUBECONFIG="$KUBECONFIG_FILE"
k() { kubectl "$@"; }
api="http://127.0.0.1:$K8C_PORT/api/v1/namespaces/default"

wait_for() { # CMD...: retry for up to 60 s
	i=0
	while [ $i -lt 600 ]; do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
phase_is() { [ "$(k get pod "$1" -o jsonpath='{.status.phase}')" = "$2" ]; }
threads() { # NAME: the server's threads of that name
	cat /proc/"$K8C_PID"/task/*/comm 2>/dev/null | grep -c "^$1\$"
}

ok $(wait_for sh -c "kubectl get node lnode --no-headers | grep -q ' Ready '"; echo $?) "node lnode is Ready"
port=$(k get node lnode -o jsonpath='{.status.daemonEndpoints.kubeletEndpoint.Port}')
ip=$(k get node lnode -o jsonpath='{.status.addresses[?(@.type=="InternalIP")].address}')
like "$port" '^[1-9][0-9]*$' "the node advertises its kubelet port ($port)"
is "$(curl -s "http://$ip:$port/healthz")" ok "the kubelet answers /healthz on $ip:$port"

cat >"$TMP/pods.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: talk}
spec:
  nodeName: lnode
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "echo one; echo two; echo three >&2; printf 'no newline'; sleep 0.2; echo ' joined'; exec sleep 3600"]
---
apiVersion: v1
kind: Pod
metadata: {name: two}
spec:
  nodeName: lnode
  terminationGracePeriodSeconds: 1
  initContainers:
  - {name: i, image: busybox, command: ["echo", "init says hi"]}
  containers:
  - {name: a, image: busybox, command: ["sh", "-c", "echo from-a; exec sleep 3600"]}
  - {name: b, image: busybox, command: ["sh", "-c", "echo from-b; exec sleep 3600"]}
---
apiVersion: v1
kind: Pod
metadata: {name: crash}
spec:
  nodeName: lnode
  terminationGracePeriodSeconds: 1
  volumes: [{name: d, emptyDir: {}}]
  containers:
  - name: c
    image: busybox
    volumeMounts: [{name: d, mountPath: /d}]
    command: ["sh", "-c", "n=$(cat /d/n 2>/dev/null || echo 0); n=$((n+1)); echo $n >/d/n; echo attempt $n; if [ $n -ge 2 ]; then exec sleep 3600; fi; exit 1"]
---
apiVersion: v1
kind: Pod
metadata: {name: loop}
spec:
  nodeName: lnode
  terminationGracePeriodSeconds: 1
  volumes: [{name: d, emptyDir: {}}]
  containers:
  - name: c
    image: busybox
    volumeMounts: [{name: d, mountPath: /d}]
    command: ["sh", "-c", "n=$(cat /d/n 2>/dev/null || echo 0); n=$((n+1)); echo $n >/d/n; echo run $n; exit 1"]
---
apiVersion: v1
kind: Pod
metadata: {name: big}
spec:
  nodeName: lnode
  restartPolicy: Never
  containers:
  - {name: c, image: busybox, command: ["seq", "1", "100000"]}
---
apiVersion: v1
kind: Pod
metadata: {name: noimg}
spec:
  nodeName: lnode
  containers:
  - {name: c, image: not-imported:1.0}
---
apiVersion: v1
kind: Pod
metadata: {name: unbound}
spec:
  containers:
  - {name: c, image: busybox}
YAML
k apply -f "$TMP/pods.yaml" >/dev/null
ok $? "pods created"
ok $(wait_for phase_is talk Running; echo $?) "talk runs"
ok $(wait_for sh -c "kubectl logs talk | grep -q joined"; echo $?) "its output reaches kubectl logs"

is "$(k logs talk)" "one
two
three
no newline joined" "kubectl logs: stdout and stderr in order"
is "$(k logs talk --tail=2)" "three
no newline joined" "--tail=2"
is "$(k logs talk --tail=0)" "" "--tail=0"
is "$(k logs talk --limit-bytes=5)" "one
t" "--limit-bytes=5"
out=$(k logs talk --timestamps)
like "$(echo "$out" | head -1)" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z one$' "--timestamps: RFC3339Nano before each line"
is "$(echo "$out" | wc -l)" 4 "--timestamps: one per line"
is "$(k logs talk --since=1h | wc -l)" 4 "--since=1h: everything"
is "$(k logs talk --since-time=2099-01-01T00:00:00Z)" "" "--since-time in the future: nothing"
is "$(k logs pod/talk -c c | head -1)" one "kubectl logs pod/talk -c c"
out=$(k logs talk --previous 2>&1); st=$?
is "$st" 1 "--previous without a restart fails"
like "$out" 'BadRequest.*previous terminated container "c" in pod "talk" not found' "... with the kubelet's words"

ok $(wait_for phase_is two Running; echo $?) "two (an init container and two containers) runs"
ok $(wait_for sh -c "kubectl logs two -c b | grep -q from-b"; echo $?) "kubectl logs two -c b"
is "$(k logs two -c a)" from-a "kubectl logs two -c a"
is "$(k logs two -c i)" "init says hi" "the init container's log"
out=$(k logs two 2>&1)
like "$out" 'Defaulted container "a"' "kubectl 1.32 picks the first container"
code=$(curl -s -o "$TMP/out" -w '%{http_code}' "$api/pods/two/log")
is "$code" 400 "no container= for a pod of several: 400"
like "$(cat "$TMP/out")" '"message":"a container name must be specified for pod two, choose one of: \[i a b\]"' "... naming them as Kubernetes does"
out=$(k logs two -c nope 2>&1)
like "$out" 'container nope is not valid for pod two' "an unknown container is refused"

ok $(wait_for sh -c "[ \$(kubectl get pod crash -o jsonpath='{.status.containerStatuses[0].restartCount}') = 1 ] && kubectl logs crash | grep -q 'attempt 2'"; echo $?) "crash restarted once"
is "$(k logs crash)" "attempt 2" "its current run's log"
is "$(k logs crash --previous)" "attempt 1" "--previous: the run before"
is "$(k logs crash -p --timestamps | sed 's/^[^ ]* //')" "attempt 1" "--previous --timestamps"

# waiting in CrashLoopBackOff: the run that just ended is lastState, and
# both logs and logs --previous show it (as the kubelet does)
ok $(wait_for sh -c "kubectl get pod loop -o jsonpath='{.status.containerStatuses[0].restartCount} {.status.containerStatuses[0].state.waiting.reason}' | grep -qx '1 CrashLoopBackOff'"; echo $?) "loop crashed twice and backs off"
is "$(k get pod loop -o jsonpath='{.status.containerStatuses[0].lastState.terminated.exitCode}')" 1 "lastState: the run that just ended"
is "$(k logs loop):$(k logs loop -p)" "run 2:run 2" "logs and logs -p show the run that just ended"

ok $(wait_for phase_is big Succeeded; echo $?) "big wrote 100000 lines and ended"
is "$(k logs big | wc -l)" 100000 "all 100000 lines come through"
is "$(k logs big | md5sum)" "$(seq 1 100000 | md5sum)" "... intact"
is "$(k logs big --tail=3)" "99998
99999
100000" "--tail=3 of a big log"

ok $(wait_for sh -c "kubectl get pod noimg -o jsonpath='{.status.containerStatuses[0].state.waiting.reason}' | grep -q ErrImageNeverPull"; echo $?) "noimg waits (ErrImageNeverPull)"
out=$(k logs noimg 2>&1)
like "$out" 'container "c" in pod "noimg" is waiting to start: ErrImageNeverPull' "its logs: waiting to start, and why"
out=$(k logs unbound 2>&1); st=$?
is "$st:$out" "0:" "an unscheduled pod's log is empty"
out=$(k logs nope 2>&1)
like "$out" 'NotFound.*pods "nope" not found' "a missing pod: NotFound"

# option validation, as Kubernetes' ValidatePodLogOptions
code=$(curl -s -o "$TMP/out" -w '%{http_code}' "$api/pods/talk/log?tailLines=-2")
is "$code" 422 "tailLines=-2: 422"
like "$(cat "$TMP/out")" 'PodLogOptions \\"talk\\" is invalid: tailLines: Invalid value: -2: must be greater than or equal to 0' "... Invalid, in Kubernetes' words"
code=$(curl -s -o /dev/null -w '%{http_code}' "$api/pods/talk/log?tailLines=x")
is "$code" 400 "tailLines=x: 400"
code=$(curl -s -o "$TMP/out" -w '%{http_code}' "$api/pods/talk/log?sinceSeconds=5&sinceTime=2020-01-01T00:00:00Z")
is "$code" 422 "sinceSeconds with sinceTime: 422"
code=$(curl -s -o /dev/null -w '%{http_code}' "$api/pods/talk/log?limitBytes=0")
is "$code" 422 "limitBytes=0: 422"
code=$(curl -s -o /dev/null -w '%{http_code}' "$api/pods/talk/log?tailLines=%2B1")
is "$code" 400 "tailLines=+1: 400"
code=$(curl -s -o /dev/null -w '%{http_code}' "$api/pods/talk/log?follow=yes")
is "$code" 400 "follow=yes: 400"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$api/pods/talk/log")
is "$code" 405 "POST pods/log: 405"

# follow: ends when the container ends
cat >"$TMP/ticker.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: ticker}
spec:
  nodeName: lnode
  restartPolicy: Never
  containers:
  - {name: c, image: busybox, command: ["sh", "-c", "sleep 1; for i in 1 2 3; do echo tick $i; sleep 1; done; echo bye"]}
YAML
k apply -f "$TMP/ticker.yaml" >/dev/null
ok $(wait_for phase_is ticker Running; echo $?) "ticker runs"
timeout 60 kubectl logs -f ticker >"$TMP/follow.out" 2>&1
is "$?" 0 "kubectl logs -f ends by itself when the container ends"
is "$(cat "$TMP/follow.out")" "tick 1
tick 2
tick 3
bye" "... with every line"

# a follow whose client goes away ends on both sides
before_api=$(threads k8c-pod-log) before_kl=$(threads k8c-kl-log)
kubectl logs -f talk >"$TMP/f2.out" 2>&1 &
fpid=$!
ok $(wait_for grep -q joined "$TMP/f2.out"; echo $?) "kubectl logs -f talk shows the log"
is "$(threads k8c-pod-log):$(threads k8c-kl-log)" "$((before_api + 1)):$((before_kl + 1))" "a relay thread and a copy thread serve it"
kill $fpid; wait $fpid 2>/dev/null
ok $(wait_for sh -c "[ \$(cat /proc/$K8C_PID/task/*/comm | grep -c '^k8c-pod-log\$') = $before_api ] && [ \$(cat /proc/$K8C_PID/task/*/comm | grep -c '^k8c-kl-log\$') = $before_kl ]"; echo $?) \
	"once kubectl is gone, both end"
# a follow of a pod that is deleted ends
kubectl logs -f talk >"$TMP/f3.out" 2>&1 &
fpid=$!
ok $(wait_for grep -q joined "$TMP/f3.out"; echo $?) "another kubectl logs -f talk"
k delete pod talk --wait=false >/dev/null
i=0; while [ $i -lt 300 ] && kill -0 $fpid 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
ok $([ $i -lt 300 ]; echo $?) "deleting the pod ends it"
wait $fpid 2>/dev/null

# python3-kubernetes
out=$(/usr/bin/python3 - <<'EOF' 2>&1
from kubernetes import client, config
config.load_kube_config()
v1 = client.CoreV1Api()
print(repr(v1.read_namespaced_pod_log("two", "default", container="b", tail_lines=1)))
print(repr(v1.read_namespaced_pod_log("crash", "default", previous=True)))
EOF
)
is "$out" "'from-b\n'
'attempt 1\n'" "python3-kubernetes read_namespaced_pod_log (container, tail_lines, previous)"

# kubectl 1.20 asks without container= (one container) and follows
KUBECTL120=${K8C_KUBECTL120:-/opt/k8c-test/kubectl-1.20/usr/bin/kubectl}
if [ -x "$KUBECTL120" ]; then
	is "$("$KUBECTL120" --cache-dir "$TMP/kc" logs crash)" "attempt 2" "kubectl 1.20 logs"
	is "$("$KUBECTL120" --cache-dir "$TMP/kc" logs crash -p --tail=1)" "attempt 1" "kubectl 1.20 logs -p --tail=1"
	is "$("$KUBECTL120" --cache-dir "$TMP/kc" logs two -c b)" "from-b" "kubectl 1.20 logs -c b"
else
	for i in 1 2 3; do echo "ok # SKIP kubectl 1.20 is not installed"; tap_n=$((tap_n + 1)); done
fi

# a node whose kubelet does not answer: a clear error, no hang
k apply -f - >/dev/null <<'YAML'
apiVersion: v1
kind: Node
metadata: {name: ghost}
YAML
curl -s -X PATCH -H 'Content-Type: application/merge-patch+json' \
	-d '{"status":{"addresses":[{"type":"InternalIP","address":"127.0.0.1"}],"daemonEndpoints":{"kubeletEndpoint":{"Port":1}}}}' \
	"http://127.0.0.1:$K8C_PORT/api/v1/nodes/ghost/status" >/dev/null
k run haunt --image=busybox --overrides='{"spec":{"nodeName":"ghost"}}' >/dev/null
out=$(timeout 30 kubectl logs haunt 2>&1); st=$?
is "$st" 1 "logs of a pod on a node whose kubelet is down fail"
like "$out" 'Error from server.*containerLogs/default/haunt/haunt.*(refused|Couldn)' "... saying the kubelet could not be reached"

# a kubelet that accepts and never answers: the request waits (the client
# gives up), and the server still stops at once
python3 -c 'import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print(s.getsockname()[1], flush=True); time.sleep(300)' >"$TMP/mute.port" &
mute_pid=$!
tap_at_exit "kill $mute_pid 2>/dev/null"
wait_for test -s "$TMP/mute.port"
curl -s -X PATCH -H 'Content-Type: application/merge-patch+json' \
	-d "{\"status\":{\"daemonEndpoints\":{\"kubeletEndpoint\":{\"Port\":$(cat "$TMP/mute.port")}}}}" \
	"http://127.0.0.1:$K8C_PORT/api/v1/nodes/ghost/status" >/dev/null
code=$(curl -s -m 2 -o /dev/null -w '%{http_code}' "$api/pods/haunt/log")
is "$code" 000 "a kubelet that never answers: the client gives up"
k delete pod haunt --force --grace-period=0 >/dev/null 2>&1
k run haunt2 --image=busybox --overrides='{"spec":{"nodeName":"ghost"}}' >/dev/null
curl -s -o /dev/null "$api/pods/haunt2/log" & # waits for the mute kubelet through the stop
sleep 0.5
k delete pod haunt2 --force --grace-period=0 >/dev/null 2>&1
k delete pod --all --grace-period=1 >/dev/null 2>&1
start=$(date +%s)
stop_server
ok $([ $(($(date +%s) - start)) -lt 20 ]; echo $?) "... in seconds, with relays to that kubelet open"
kill $mute_pid 2>/dev/null
is "$(grep -c ' ERROR ' "$TMP/server.log")" 0 "the server logged no error"
tap_done
