#!/bin/sh
# The Job and CronJob controllers (plugins/controller-job,
# plugins/controller-cronjob) in `k8c server`, on hollow nodes (`k8c agent
# --runtime sim`, pods exit as their sim.k8c.io annotations say), driven by
# the real kubectl: Jobs complete, fail after backoffLimit, run indexed,
# respect parallelism, activeDeadlineSeconds, suspend/resume,
# ttlSecondsAfterFinished and podFailurePolicy; CronJobs fire, keep their
# history limits, Forbid overlaps; `kubectl create job --from=cronjob/x`.
. "$top_srcdir/tests/lib.sh"
tap_tmpdir
. "$top_srcdir/tests/integration/server_lib.sh"

K8C_WITH_CONTROLLERS=1 K8C_WITH_SCHEDULER=1 start_server
export KUBECONFIG="$KUBECONFIG_FILE"
k() { kubectl "$@"; }
wait_for() { # SECONDS CMD...: retry until it succeeds
	n=$(($1 * 10)); shift
	i=0
	while [ $i -lt $n ]; do
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
ok $(wait_for 30 sh -c "kubectl get nodes --no-headers | grep -c ' Ready ' | grep -qx 3"; echo $?) "three hollow nodes are Ready"

jf() { k get job "$1" -o jsonpath="$2"; }
cond() { jf "$1" "{.status.conditions[?(@.type==\"$2\")].status}"; }
events_of() { k get events --field-selector "involvedObject.name=$1" -o jsonpath='{range .items[*]}{.reason}: {.message}{"\n"}{end}'; }

# --- a Job runs to completion --------------------------------------------------
cat >"$TMP/jobs.yaml" <<'YAML'
apiVersion: batch/v1
kind: Job
metadata: {name: ok3}
spec:
  completions: 3
  parallelism: 2
  template:
    metadata: {annotations: {sim.k8c.io/exit-after: "1s"}}
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox}]
YAML
k apply -f "$TMP/jobs.yaml" >/dev/null
out=$(k wait --for=condition=complete job/ok3 --timeout=60s 2>&1); st=$?
is "$st" 0 "kubectl wait --for=condition=complete: $out"
is "$(jf ok3 '{.status.succeeded}/{.status.failed}/{.status.active}/{.status.ready}/{.status.terminating}')" "3//0/0/0" \
	"status: 3 succeeded, nothing active"
like "$(jf ok3 '{.status.startTime} {.status.completionTime}')" '^20[0-9-]*T[0-9:]*Z 20[0-9-]*T[0-9:]*Z$' "startTime and completionTime"
is "$(jf ok3 '{range .status.conditions[*]}{.type}={.status}/{.reason}/{.message} {end}')" \
	"SuccessCriteriaMet=True/CompletionsReached/Reached expected number of succeeded pods Complete=True/CompletionsReached/Reached expected number of succeeded pods " \
	"conditions SuccessCriteriaMet then Complete, as 1.32"
is "$(k get pods -l batch.kubernetes.io/job-name=ok3 --no-headers | wc -l)" 3 "three pods, found by the job-name label"
is "$(k get pods -l job-name=ok3 -o jsonpath='{range .items[*]}{.metadata.finalizers}{.status.phase} {end}')" \
	"Succeeded Succeeded Succeeded " "their tracking finalizers are removed once counted"
is "$(k get pods -l job-name=ok3 -o jsonpath='{.items[0].metadata.ownerReferences[0].kind}/{.items[0].metadata.ownerReferences[0].name}/{.items[0].metadata.ownerReferences[0].controller}')" \
	"Job/ok3/true" "pods are controlled by the Job"
ev=$(events_of ok3)
is "$(echo "$ev" | grep -c '^SuccessfulCreate: Created pod: ok3-')" 3 "three SuccessfulCreate events"
like "$ev" "Completed: Job completed" "Completed event"
like "$(k get job ok3)" 'ok3 +Complete +3/3' "kubectl get job shows Complete 3/3"
like "$(k get job ok3 -o jsonpath='{.status.uncountedTerminatedPods}')" '^(\{\})?$' "nothing left uncounted"

# --- parallelism is respected ---------------------------------------------------
cat >"$TMP/par.yaml" <<'YAML'
apiVersion: batch/v1
kind: Job
metadata: {name: par}
spec:
  completions: 6
  parallelism: 2
  template:
    metadata: {annotations: {sim.k8c.io/exit-after: "2s"}}
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox}]
YAML
k apply -f "$TMP/par.yaml" >/dev/null
max=0; i=0
while [ $i -lt 120 ] && [ "$(cond par Complete)" != True ]; do
	n=$(k get pods -l job-name=par --no-headers 2>/dev/null | grep -cE 'Running|Pending|ContainerCreating')
	[ "$n" -gt "$max" ] && max=$n
	sleep 0.25; i=$((i + 1))
done
is "$(cond par Complete)" True "a 6-completion Job with parallelism 2 completes"
ok $([ "$max" -le 2 ] && [ "$max" -ge 1 ]; echo $?) "never more than 2 pods at once (saw at most $max)"
is "$(jf par '{.status.succeeded}')" 6 "6 succeeded"

# --- backoffLimit ---------------------------------------------------------------
cat >"$TMP/fail.yaml" <<'YAML'
apiVersion: batch/v1
kind: Job
metadata: {name: fails}
spec:
  backoffLimit: 1
  template:
    metadata: {annotations: {sim.k8c.io/exit-after: "0s", sim.k8c.io/exit-code: "2"}}
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox}]
YAML
k apply -f "$TMP/fail.yaml" >/dev/null
out=$(k wait --for=condition=failed job/fails --timeout=60s 2>&1); st=$?
is "$st" 0 "a Job whose pods fail is Failed: $out"
is "$(jf fails '{range .status.conditions[*]}{.type}={.reason}/{.message} {end}')" \
	"FailureTarget=BackoffLimitExceeded/Job has reached the specified backoff limit Failed=BackoffLimitExceeded/Job has reached the specified backoff limit " \
	"FailureTarget then Failed, BackoffLimitExceeded"
is "$(jf fails '{.status.failed}/{.status.succeeded}/{.status.active}')" "2//0" "two pods failed (backoffLimit 1)"
is "$(k get pods -l job-name=fails --no-headers | wc -l)" 2 "no third pod"
ev=$(events_of fails)
like "$ev" "BackoffLimitExceeded: Job has reached the specified backoff limit" "BackoffLimitExceeded event"
t1=$(k get pods -l job-name=fails --sort-by=.metadata.creationTimestamp -o jsonpath='{.items[0].status.containerStatuses[0].state.terminated.finishedAt}')
t2=$(k get pods -l job-name=fails --sort-by=.metadata.creationTimestamp -o jsonpath='{.items[1].metadata.creationTimestamp}')
gap=$(( $(date -d "$t2" +%s) - $(date -d "$t1" +%s) ))
ok $([ "$gap" -ge 9 ] && [ "$gap" -le 14 ]; echo $?) "the replacement waited the 10 s pod-failure backoff ($gap s)"

# --- Indexed ----------------------------------------------------------------------
cat >"$TMP/idx.yaml" <<'YAML'
apiVersion: batch/v1
kind: Job
metadata: {name: idx}
spec:
  completions: 4
  parallelism: 4
  completionMode: Indexed
  template:
    metadata: {annotations: {sim.k8c.io/exit-after: "1s"}}
    spec:
      restartPolicy: Never
      subdomain: workers
      containers: [{name: c, image: busybox}]
YAML
k apply -f "$TMP/idx.yaml" >/dev/null
out=$(k wait --for=condition=complete job/idx --timeout=60s 2>&1); st=$?
is "$st" 0 "an Indexed Job completes: $out"
is "$(jf idx '{.status.completedIndexes} {.status.succeeded}')" "0-3 4" "completedIndexes 0-3"
is "$(k get pods -l job-name=idx -o jsonpath='{range .items[*]}{.metadata.annotations.batch\.kubernetes\.io/job-completion-index}{"\n"}{end}' | sort | tr '\n' ' ')" \
	"0 1 2 3 " "each index ran once (annotation)"
is "$(k get pods -l batch.kubernetes.io/job-completion-index=2 -o jsonpath='{.items[0].spec.hostname} {.items[0].metadata.generateName}')" \
	"idx-2 idx-2-" "label, hostname <job>-<index>, generateName <job>-<index>-"
is "$(k get pods -l batch.kubernetes.io/job-completion-index=1 -o jsonpath='{.items[0].spec.containers[0].env[0].name}={.items[0].spec.containers[0].env[0].valueFrom.fieldRef.fieldPath}')" \
	"JOB_COMPLETION_INDEX=metadata.annotations['batch.kubernetes.io/job-completion-index']" "JOB_COMPLETION_INDEX from the annotation"

# --- activeDeadlineSeconds ------------------------------------------------------------
cat >"$TMP/dl.yaml" <<'YAML'
apiVersion: batch/v1
kind: Job
metadata: {name: deadline}
spec:
  activeDeadlineSeconds: 2
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox}]
YAML
k apply -f "$TMP/dl.yaml" >/dev/null
out=$(k wait --for=condition=failed job/deadline --timeout=30s 2>&1); st=$?
is "$st" 0 "a Job past activeDeadlineSeconds fails: $out"
is "$(jf deadline '{.status.conditions[?(@.type=="Failed")].reason}/{.status.conditions[?(@.type=="Failed")].message}')" \
	"DeadlineExceeded/Job was active longer than specified deadline" "reason DeadlineExceeded"
like "$(events_of deadline)" "DeadlineExceeded: Job was active longer than specified deadline" "DeadlineExceeded event"
is "$(jf deadline '{.status.active} {.status.failed}')" "0 1" "its running pod was deleted and counted as failed"
ok $(wait_for 20 sh -c "[ \$(kubectl get pods -l job-name=deadline --no-headers 2>/dev/null | wc -l) = 0 ]"; echo $?) "and is gone"

# --- suspend / resume ---------------------------------------------------------------
cat >"$TMP/sus.yaml" <<'YAML'
apiVersion: batch/v1
kind: Job
metadata: {name: sus}
spec:
  parallelism: 2
  completions: 2
  template:
    metadata: {annotations: {sim.k8c.io/exit-after: "3s"}}
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox}]
YAML
k apply -f "$TMP/sus.yaml" >/dev/null
ok $(wait_for 20 sh -c "[ \"\$(kubectl get job sus -o jsonpath='{.status.active}')\" = 2 ]"; echo $?) "two pods active"
k patch job sus --type=merge -p '{"spec":{"suspend":true}}' >/dev/null
ok $(wait_for 20 sh -c "[ \"\$(kubectl get job sus -o jsonpath='{.status.conditions[?(@.type==\"Suspended\")].status}')\" = True ]"; echo $?) "suspended: condition Suspended=True"
ok $(wait_for 20 sh -c "[ \$(kubectl get pods -l job-name=sus --no-headers 2>/dev/null | wc -l) = 0 ]"; echo $?) "its active pods are deleted"
is "$(jf sus '{.status.conditions[?(@.type=="Suspended")].reason}/{.status.active}/{.status.failed}')" "JobSuspended/0/" \
	"reason JobSuspended, none active, no failure counted"
like "$(k get job sus)" 'sus +Suspended' "kubectl shows Suspended"
k patch job sus --type=merge -p '{"spec":{"suspend":false}}' >/dev/null
out=$(k wait --for=condition=complete job/sus --timeout=60s 2>&1); st=$?
is "$st" 0 "resumed, it completes: $out"
is "$(jf sus '{.status.conditions[?(@.type=="Suspended")].status}/{.status.conditions[?(@.type=="Suspended")].reason}')" "False/JobResumed" "Suspended=False JobResumed"
ev=$(events_of sus)
like "$ev" "Suspended: Job suspended" "Suspended event"
like "$ev" "Resumed: Job resumed" "Resumed event"

# --- podFailurePolicy -----------------------------------------------------------------
cat >"$TMP/pfp.yaml" <<'YAML'
apiVersion: batch/v1
kind: Job
metadata: {name: pfp}
spec:
  backoffLimit: 6
  podFailurePolicy:
    rules:
    - action: FailJob
      onExitCodes: {containerName: c, operator: In, values: [42]}
  template:
    metadata: {annotations: {sim.k8c.io/exit-after: "0s", sim.k8c.io/exit-code: "42"}}
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: ignored}
spec:
  backoffLimit: 0
  completions: 1
  podFailurePolicy:
    rules:
    - action: Ignore
      onExitCodes: {operator: In, values: [7]}
  template:
    metadata: {annotations: {sim.k8c.io/exit-after: "0s", sim.k8c.io/exit-code: "7"}}
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox}]
YAML
k apply -f "$TMP/pfp.yaml" >/dev/null
out=$(k wait --for=condition=failed job/pfp --timeout=30s 2>&1); st=$?
is "$st" 0 "a FailJob rule fails the Job at the first matching exit: $out"
pod=$(k get pods -l job-name=pfp -o jsonpath='{.items[0].metadata.name}')
is "$(jf pfp '{.status.conditions[?(@.type=="Failed")].reason}|{.status.conditions[?(@.type=="Failed")].message}')" \
	"PodFailurePolicy|Container c for pod default/$pod failed with exit code 42 matching FailJob rule at index 0" \
	"reason PodFailurePolicy with kube's message"
is "$(k get pods -l job-name=pfp --no-headers | wc -l)" 1 "no retry"
ok $(wait_for 20 sh -c "[ \$(kubectl get pods -l job-name=ignored --no-headers | wc -l) -ge 2 ]"; echo $?) \
	"Ignore: a failure does not count against backoffLimit 0, the pod is replaced (after the backoff)"
is "$(jf ignored '{.status.failed}/{.status.conditions[?(@.type=="Failed")].status}')" "/" "failed stays 0, the Job is not Failed"
k delete job ignored --wait=false >/dev/null

# --- ttlSecondsAfterFinished -------------------------------------------------------------
cat >"$TMP/ttl.yaml" <<'YAML'
apiVersion: batch/v1
kind: Job
metadata: {name: ttl}
spec:
  ttlSecondsAfterFinished: 2
  template:
    metadata: {annotations: {sim.k8c.io/exit-after: "0s"}}
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox}]
YAML
k apply -f "$TMP/ttl.yaml" >/dev/null
k wait --for=condition=complete job/ttl --timeout=30s >/dev/null 2>&1
done_at=$(date +%s)
ok $(wait_for 15 sh -c "! kubectl get job ttl -o jsonpath='{.metadata.deletionTimestamp}' 2>/dev/null | grep -q . && ! kubectl get job ttl >/dev/null 2>&1 || kubectl get job ttl -o jsonpath='{.metadata.deletionTimestamp}' | grep -q ."; echo $?) \
	"the finished Job is deleted after its TTL"
gap=$(( $(date +%s) - done_at ))
ok $([ "$gap" -ge 1 ]; echo $?) "not before it (${gap} s after completion)"

# --- a Job deleted while running: its pods keep no finalizer ---------------------------------
cat >"$TMP/del.yaml" <<'YAML'
apiVersion: batch/v1
kind: Job
metadata: {name: del}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox}]
YAML
k apply -f "$TMP/del.yaml" >/dev/null
ok $(wait_for 20 sh -c "[ \"\$(kubectl get job del -o jsonpath='{.status.active}')\" = 1 ]"; echo $?) "a running Job"
pod=$(k get pods -l job-name=del -o jsonpath='{.items[0].metadata.name}')
is "$(k get pod "$pod" -o jsonpath='{.metadata.finalizers}')" '["batch.kubernetes.io/job-tracking"]' "its pod carries the tracking finalizer"
k delete job del --cascade=orphan --wait=false >/dev/null
ok $(wait_for 20 sh -c "[ -z \"\$(kubectl get pod $pod -o jsonpath='{.metadata.finalizers}')\" ]"; echo $?) "the Job gone, the finalizer is removed from its pod"
k delete pod "$pod" --wait=false >/dev/null 2>&1

# --- CronJob ---------------------------------------------------------------------------------
cat >"$TMP/cj.yaml" <<'YAML'
apiVersion: batch/v1
kind: CronJob
metadata: {name: minutely}
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        metadata: {annotations: {sim.k8c.io/exit-after: "1s"}}
        spec:
          restartPolicy: Never
          containers: [{name: c, image: busybox}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: fast}
spec:
  schedule: "@every 3s"
  timeZone: America/New_York
  successfulJobsHistoryLimit: 1
  jobTemplate:
    metadata: {labels: {from: fast}}
    spec:
      template:
        metadata: {annotations: {sim.k8c.io/exit-after: "1s"}}
        spec:
          restartPolicy: Never
          containers: [{name: c, image: busybox}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: forbid}
spec:
  schedule: "@every 2s"
  concurrencyPolicy: Forbid
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: c, image: busybox}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: paused}
spec:
  schedule: "@every 1s"
  suspend: true
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: c, image: busybox}]
YAML
k apply -f "$TMP/cj.yaml" >/dev/null
ok $(wait_for 30 sh -c "kubectl get jobs -l from=fast --no-headers | grep -q ." ; echo $?) "a CronJob creates a Job on its schedule"
job=$(k get jobs -l from=fast -o jsonpath='{.items[0].metadata.name}')
sched=$(k get job "$job" -o jsonpath='{.metadata.annotations.batch\.kubernetes\.io/cronjob-scheduled-timestamp}')
like "$sched" '^20[0-9-]*T[0-9:]*-0[45]:00$' "scheduled-timestamp annotation in the CronJob's time zone ($sched)"
minutes=$(( $(date -d "$sched" +%s) / 60 ))
is "$job" "fast-$minutes" "the Job is named <cronjob>-<minutes since the epoch>"
is "$(k get job "$job" -o jsonpath='{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}/{.metadata.ownerReferences[0].controller}')" \
	"CronJob/fast/true" "controlled by the CronJob"
like "$(events_of fast)" "SuccessfulCreate: Created job $job" "SuccessfulCreate event"
ok $(wait_for 30 sh -c "kubectl get cronjob fast -o jsonpath='{.status.lastSuccessfulTime}' | grep -q ." ; echo $?) "lastSuccessfulTime once it completed"
like "$(k get cronjob fast -o jsonpath='{.status.lastScheduleTime}')" '^20.*Z$' "lastScheduleTime"
like "$(events_of fast)" "SawCompletedJob: Saw completed job: fast-[0-9]*, condition: Complete" "SawCompletedJob event"
ok $(wait_for 90 sh -c "kubectl get events --field-selector involvedObject.name=fast -o jsonpath='{.items[*].reason}' | grep -q SuccessfulDelete"; echo $?) \
	"beyond successfulJobsHistoryLimit 1 the older Job is deleted (SuccessfulDelete)"
ok $(wait_for 10 sh -c "[ \$(kubectl get jobs -l from=fast --no-headers | grep -c Complete) -le 1 ]"; echo $?) "at most one completed Job is kept"
ok $(wait_for 20 sh -c "kubectl get events --field-selector involvedObject.name=forbid -o jsonpath='{.items[*].reason}' | grep -q JobAlreadyActive"; echo $?) \
	"Forbid: JobAlreadyActive while the first Job runs"
is "$(k get jobs --no-headers | grep -c '^forbid-')" 1 "and no second Job"
is "$(k get cronjob forbid -o jsonpath='{.status.active[0].kind}/{.status.active[0].apiVersion}')" "Job/batch/v1" "status.active references the Job"
sleep 2
is "$(k get jobs --no-headers | grep -c '^paused-')" 0 "a suspended CronJob creates nothing"

out=$(k create job manual --from=cronjob/forbid 2>&1); st=$?
is "$st" 0 "kubectl create job --from=cronjob: $out"
is "$(jf manual '{.metadata.annotations.cronjob\.kubernetes\.io/instantiate}/{.metadata.ownerReferences[0].name}')" "manual/forbid" \
	"the Job is marked manual and owned by the CronJob"
ok $(wait_for 20 sh -c "[ \"\$(kubectl get job manual -o jsonpath='{.status.active}')\" = 1 ]"; echo $?) "and runs"

ok $(wait_for 75 sh -c "kubectl get jobs --no-headers | grep -q '^minutely-'"; echo $?) "a '* * * * *' CronJob fires within a minute"
like "$(k get cronjob minutely)" 'minutely +\* \* \* \* \* +<none> +False +[01] ' "kubectl get cronjob"
like "$(k get job -o name | grep minutely | head -1)" "job.batch/minutely-[0-9]+" "named minutely-<minutes>"

k delete cronjob fast forbid paused minutely >/dev/null
tap_done
