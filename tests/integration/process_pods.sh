#!/bin/sh
# Real pods with the process runtime: `k8c agent` (runtime process) against
# a k8c server, the busybox image from contrib/images/busybox.sh, driven by
# the real kubectl.  Needs root (namespaces, cgroups, mounts).
. "$top_srcdir/tests/lib.sh"
tap_tmpdir
if [ "$(id -u)" != 0 ] || ! [ -x /bin/busybox ]; then
	echo "1..0 # SKIP needs root and Debian's busybox-static"
	exit 0
fi
. "$top_srcdir/tests/integration/server_lib.sh"

start_server --disable-agent
export KUBECONFIG="$KUBECONFIG_FILE"
k() { kubectl "$@"; }
AGENT_DATA="$TMP/agent"
sh "$top_srcdir/contrib/images/busybox.sh" "$TMP/busybox.tar" >/dev/null 2>&1
"$K8C" image import busybox "$TMP/busybox.tar" --data-dir "$AGENT_DATA" >/dev/null
ok $? "busybox image imported"

start_agent() {
	"$K8C" agent --server "http://127.0.0.1:$K8C_PORT" --node-name pnode \
		--data-dir "$AGENT_DATA" --kubelet-port 0 >>"$TMP/agent.log" 2>&1 &
	AGENT_PID=$!
}
# At exit: the agent, then every pod's processes (kill the shims' cgroups).
tap_at_exit 'kill -9 $AGENT_PID 2>/dev/null; for p in $(pgrep -f "agent --server http://127.0.0.1:$K8C_PORT"); do kill -9 $p; done 2>/dev/null'
start_agent

wait_for() { # CMD...: retry for up to 60 s
	i=0
	while [ $i -lt 600 ]; do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
phase_is() { [ "$(kubectl get pod "$1" -o jsonpath='{.status.phase}')" = "$2" ]; }
logfile() { ls "$AGENT_DATA"/pods/"$(k get pod "$1" -o jsonpath='{.metadata.uid}')"/logs/"$2"/"$3".log; }

cat >"$TMP/pods.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {greeting: hello-from-cm, file.txt: "from a file"}
---
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  nodeName: pnode
  terminationGracePeriodSeconds: 2
  volumes: [{name: conf, configMap: {name: cfg}}, {name: scratch, emptyDir: {}}]
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "echo $GREETING; echo pid=$$$$; cat /conf/file.txt; echo; hostname; mkdir -p /www; echo ok > /www/index.html; exec httpd -f -p 8080 -h /www"]
    env:
    - {name: GREETING, valueFrom: {configMapKeyRef: {name: cfg, key: greeting}}}
    volumeMounts: [{name: conf, mountPath: /conf}, {name: scratch, mountPath: /scratch}]
    readinessProbe: {httpGet: {path: /index.html, port: 8080}, periodSeconds: 1}
---
apiVersion: v1
kind: Pod
metadata: {name: exit3}
spec:
  nodeName: pnode
  restartPolicy: Never
  containers: [{name: c, image: busybox, command: ["sh", "-c", "exit 3"]}]
---
apiVersion: v1
kind: Pod
metadata: {name: exit0}
spec:
  nodeName: pnode
  restartPolicy: OnFailure
  containers: [{name: c, image: busybox, command: ["true"]}]
---
apiVersion: v1
kind: Pod
metadata: {name: oom}
spec:
  nodeName: pnode
  restartPolicy: Never
  containers:
  - {name: c, image: busybox, command: ["dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"],
     resources: {limits: {memory: 20Mi}}}
---
apiVersion: v1
kind: Pod
metadata: {name: live}
spec:
  nodeName: pnode
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    command: ["sleep", "1000"]
    livenessProbe: {exec: {command: ["cat", "/tmp/nope"]}, periodSeconds: 1, failureThreshold: 2}
---
apiVersion: v1
kind: Pod
metadata: {name: noimg}
spec:
  nodeName: pnode
  containers: [{name: c, image: nosuch:1}]
---
apiVersion: v1
kind: Pod
metadata: {name: badkey}
spec:
  nodeName: pnode
  containers:
  - name: c
    image: busybox
    env: [{name: X, valueFrom: {configMapKeyRef: {name: cfg, key: nokey}}}]
---
apiVersion: v1
kind: Pod
metadata: {name: nocmd}
spec:
  nodeName: pnode
  restartPolicy: Never
  containers: [{name: c, image: busybox, command: ["no-such-command"]}]
YAML
k apply -f "$TMP/pods.yaml" >/dev/null
ok $(wait_for phase_is web Running; echo $?) "a busybox pod runs"
ok $(wait_for sh -c "kubectl get pod web -o jsonpath='{.status.containerStatuses[0].ready}' | grep -qx true"; echo $?) "readiness follows an httpGet probe in the pod's network"
log=$(cat "$(logfile web c 0)")
like "$log" ' stdout F hello-from-cm$' "its output is in its CRI log, env from a ConfigMap"
like "$log" ' stdout F pid=1$' "its command is PID 1 (and \$\$ escapes \$)"
like "$log" ' stdout F from a file$' "a configMap volume"
like "$log" ' stdout F web$' "hostname is the pod name"
ok $(wait_for phase_is exit3 Failed; echo $?) "exit 3 with restartPolicy Never: Failed"
is "$(k get pod exit3 -o jsonpath='{.status.containerStatuses[0].state.terminated.exitCode} {.status.containerStatuses[0].state.terminated.reason}')" "3 Error" "exit code 3, reason Error"
ok $(wait_for phase_is exit0 Succeeded; echo $?) "exit 0 with restartPolicy OnFailure: Succeeded"
ok $(wait_for phase_is oom Failed; echo $?) "a pod over its memory limit fails"
is "$(k get pod oom -o jsonpath='{.status.containerStatuses[0].state.terminated.reason} {.status.containerStatuses[0].state.terminated.exitCode}')" "OOMKilled 137" "OOMKilled, 137"
ok $(wait_for sh -c "kubectl get pod live -o jsonpath='{.status.containerStatuses[0].restartCount}' | grep -q '^[1-9]'"; echo $?) "a failing liveness probe restarts the container"
like "$(k get events --field-selector involvedObject.name=live -o jsonpath='{range .items[*]}{.reason}: {.message}{"\n"}{end}')" 'Unhealthy: Liveness probe failed' "with an Unhealthy event"
ok $(wait_for sh -c "kubectl get pod noimg -o jsonpath='{.status.containerStatuses[0].state.waiting.reason}' | grep -qx ErrImageNeverPull"; echo $?) "a missing image: Waiting ErrImageNeverPull"
ok $(wait_for sh -c "kubectl get pod badkey -o jsonpath='{.status.containerStatuses[0].state.waiting.reason}' | grep -qx CreateContainerConfigError"; echo $?) "an unknown configMap key: CreateContainerConfigError"
like "$(k get pod badkey -o jsonpath='{.status.containerStatuses[0].state.waiting.message}')" "couldn't find key nokey" "saying which key"
ok $(wait_for phase_is nocmd Failed; echo $?) "a command that does not exist: Failed"
like "$(k get pod nocmd -o jsonpath='{.status.containerStatuses[0].state.terminated.reason}: {.status.containerStatuses[0].state.terminated.message}')" 'StartError: .*no-such-command' "StartError naming the command"

# the agent is killed; its containers keep running and are adopted
before=$(k get pod web -o jsonpath='{.status.containerStatuses[0].containerID} {.status.containerStatuses[0].restartCount}')
kill -9 $AGENT_PID; wait $AGENT_PID 2>/dev/null
sleep 1
ok $(curl -s "http://127.0.0.1:$K8C_PORT/healthz" >/dev/null; pgrep -x k8c-shim >/dev/null; echo $?) "containers outlive a kill -9 of the agent"
k delete pod exit3 --wait=false >/dev/null
start_agent
ok $(wait_for sh -c "! kubectl get pod exit3"; echo $?) "the new agent finishes a deletion made while it was down"
sleep 2
is "$(k get pod web -o jsonpath='{.status.containerStatuses[0].containerID} {.status.containerStatuses[0].restartCount}')" "$before" "and adopts the running container untouched"

# deleting a pod stops its processes
pids_before=$(pgrep -c -x httpd)
k delete pod web >/dev/null
ok $(wait_for sh -c "! kubectl get pod web"; echo $?) "a deleted pod goes away"
is "$(pgrep -c -x httpd)" "$((pids_before - 1))" "and its processes are gone"

k delete pods --all --wait=false >/dev/null
ok $(wait_for sh -c "test -z \"\$(kubectl get pods -o name)\""; echo $?) "every pod deleted"
kill -TERM $AGENT_PID; wait $AGENT_PID
ok $? "the agent stops cleanly"
stop_server

# `k8c server` with its embedded agent (runtime process, the default)
EMB="$TMP/emb"
"$K8C" image import busybox "$TMP/busybox.tar" --data-dir "$EMB" >/dev/null
"$K8C" server --data-dir "$EMB" --port 0 --node-name emb --kubelet-port 0 >"$TMP/emb.log" 2>&1 &
EMB_PID=$!
tap_at_exit 'kill -9 $EMB_PID 2>/dev/null; for p in $(pgrep -f "server --data-dir $EMB"); do kill -9 $p; done 2>/dev/null'
ok $(wait_for grep -q "running:" "$TMP/emb.log"; echo $?) "k8c server starts with its node agent"
export KUBECONFIG="$EMB/kubeconfig"
ok $(wait_for sh -c "kubectl get node emb --no-headers | grep -q ' Ready '"; echo $?) "its node registers and is Ready"
k run hello --image=busybox --restart=Never --overrides='{"spec":{"nodeName":"emb"}}' -- echo hi >/dev/null
ok $(wait_for phase_is hello Succeeded; echo $?) "a pod bound to it runs to completion"
like "$(cat "$EMB"/pods/"$(k get pod hello -o jsonpath='{.metadata.uid}')"/logs/hello/0.log)" ' stdout F hi$' "with its output logged"
k delete pod hello >/dev/null
kill -TERM $EMB_PID; wait $EMB_PID
ok $? "the server and its agent stop cleanly"
tap_done
