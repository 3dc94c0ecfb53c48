#!/bin/sh
# scheduling.k8s.io/v1 PriorityClass with kubectl 1.32 (and 1.20 when
# installed) against a real `k8c server`: the built-in system classes, Table
# columns, validation, and the Priority admission plugin's work on pods
# (priority from the class, unknown class, the globalDefault class), each
# refusal worded as the Kubernetes API server words it.
. "$top_srcdir/tests/lib.sh"
if ! command -v kubectl >/dev/null 2>&1; then
	echo "1..0 # SKIP kubectl is not installed"
	exit 0
fi
tap_tmpdir
. "$top_srcdir/tests/integration/server_lib.sh"

# The API server alone (the scheduler is off by default in start_server):
# pods stay as admission left them.
start_server --disable-agent --disable-controller-manager --disable-cloud-controller
k() { kubectl --kubeconfig "$KUBECONFIG_FILE" --cache-dir "$TMP/kcache" "$@"; }

has() { # text fixed-string description
	if printf '%s\n' "$1" | grep -Fq -- "$2"; then ok 0 "$3"; else
		ok 1 "$3"; echo "#   no line contains '$2' in:"; printf '%s\n' "$1" | sed 's/^/#     /' | head -n 20; fi
}

pod() { # name [spec lines...]: create a pod, print kubectl's output
	name=$1; shift
	{
		printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: %s}\nspec:\n' "$name"
		for line in "$@"; do printf '  %s\n' "$line"; done
		printf '  containers: [{name: c, image: nginx}]\n'
	} | k create -f - 2>&1
}

class() { # name value [lines...]: create a PriorityClass, print kubectl's output
	name=$1 value=$2; shift 2
	{
		printf 'apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: %s}\nvalue: %s\n' \
			"$name" "$value"
		for line in "$@"; do printf '%s\n' "$line"; done
	} | k create -f - 2>&1
}

# --- the built-in classes, discovery, Table ----------------------------------
out=$(k get priorityclasses 2>&1)
like "$out" "^NAME +VALUE +GLOBAL-DEFAULT +AGE +PREEMPTIONPOLICY$" "get priorityclasses: Table columns as 1.32"
like "$out" "^system-cluster-critical +2000000000 +false +[0-9]+s +PreemptLowerPriority$" \
	"system-cluster-critical is there at start"
like "$out" "^system-node-critical +2000001000 +false +[0-9]+s +PreemptLowerPriority$" \
	"system-node-critical is there at start"
is "$(k get pc system-node-critical -o jsonpath='{.description}' 2>&1)" \
	"Used for system critical pods that must not be moved from their current node." \
	"system-node-critical has Kubernetes' description"
is "$(k get pc system-cluster-critical -o jsonpath='{.description}' 2>&1)" \
	"Used for system critical pods that must run in the cluster, but can be moved to another node if necessary." \
	"system-cluster-critical has Kubernetes' description"
out=$(k api-resources --api-group=scheduling.k8s.io 2>&1)
like "$out" "^priorityclasses +pc +scheduling.k8s.io/v1 +false +PriorityClass$" "api-resources: short name pc, cluster-scoped"
like "$(k api-versions 2>&1)" "^scheduling.k8s.io/v1$" "api-versions lists scheduling.k8s.io/v1"
out=$(k explain priorityclass 2>&1)
like "$out" "^ +value[[:space:]]+<integer> -required-$" "explain: value is a required integer (OpenAPI)"

# --- a user class and pods naming it ------------------------------------------
out=$(class high 1000 "description: for the important pods")
is "$out" "priorityclass.scheduling.k8s.io/high created" "create a class with value 1000"
like "$(k get pc high 2>&1)" "^high +1000 +false +[0-9]+s +PreemptLowerPriority$" "its Table row"
is "$(k get pc high -o jsonpath='{.metadata.generation}' 2>&1)" "1" "generation 1, as the strategy sets it"
out=$(class never 10 "preemptionPolicy: Never")
is "$out" "priorityclass.scheduling.k8s.io/never created" "create a class that never preempts"

out=$(pod p-high "priorityClassName: high")
is "$out" "pod/p-high created" "a pod naming the class is admitted"
is "$(k get pod p-high -o jsonpath='{.spec.priority}/{.spec.preemptionPolicy}' 2>&1)" \
	"1000/PreemptLowerPriority" "it gets the class's value and preemption policy"
pod p-never "priorityClassName: never" >/dev/null
is "$(k get pod p-never -o jsonpath='{.spec.priority}/{.spec.preemptionPolicy}' 2>&1)" \
	"10/Never" "a Never class gives the pod preemptionPolicy Never"
pod p-node "priorityClassName: system-node-critical" >/dev/null
is "$(k get pod p-node -o jsonpath='{.spec.priority}' 2>&1)" "2000001000" \
	"system-node-critical resolves from the stored class"
pod p-none >/dev/null
is "$(k get pod p-none -o jsonpath='{.spec.priority}/{.spec.preemptionPolicy}/{.spec.priorityClassName}' 2>&1)" \
	"0/PreemptLowerPriority/" "without a class and no default: priority 0"
out=$(pod p-same "priorityClassName: high" "priority: 1000")
is "$out" "pod/p-same created" "a priority equal to the class's value is accepted"

out=$(pod p-unknown "priorityClassName: nope"); st=$?
is "$st" 1 "a pod naming an unknown class is refused"
has "$out" 'Error from server (Forbidden): error when creating "STDIN": pods "p-unknown" is forbidden: no PriorityClass with name nope was found' \
	"403 with Kubernetes' message"
out=$(printf 'apiVersion: v1\nkind: Pod\nmetadata: {generateName: gen-}\nspec:\n  priorityClassName: nope\n  containers: [{name: c, image: nginx}]\n' |
	k create -f - 2>&1)
has "$out" 'pods "gen-" is forbidden: no PriorityClass with name nope was found' \
	"with generateName the message names the prefix (the name is not generated yet)"
out=$(pod p-prio "priorityClassName: high" "priority: 5"); st=$?
is "$st" 1 "a pod whose own priority differs from its class's is refused"
has "$out" 'pods "p-prio" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name' \
	"403 with Kubernetes' message"
out=$(pod p-policy "priorityClassName: never" "preemptionPolicy: PreemptLowerPriority"); st=$?
is "$st" 1 "a pod whose own preemption policy differs from its class's is refused"
has "$out" 'pods "p-policy" is forbidden: the string value of PreemptionPolicy (PreemptLowerPriority) must not be provided in pod spec; priority admission controller computed Never from the given PriorityClass name' \
	"403 with Kubernetes' message"
out=$(k patch pod p-high --type merge -p '{"metadata":{"labels":{"a":"b"}}}' 2>&1)
is "$out" "pod/p-high patched" "updating a pod keeps its priority"
is "$(k get pod p-high -o jsonpath='{.spec.priority}' 2>&1)" "1000" "still 1000"

# --- globalDefault ------------------------------------------------------------
out=$(class default-low 500 "globalDefault: true")
is "$out" "priorityclass.scheduling.k8s.io/default-low created" "create a globalDefault class"
like "$(k get pc default-low 2>&1)" "^default-low +500 +true " "GLOBAL-DEFAULT true"
out=$(class default-two 600 "globalDefault: true"); st=$?
is "$st" 1 "a second globalDefault class is refused"
has "$out" 'Error from server (Forbidden): error when creating "STDIN": priorityclasses.scheduling.k8s.io "default-two" is forbidden: PriorityClass default-low is already marked as default. Only one default can exist' \
	"403 with Kubernetes' message"
out=$(k patch pc high --type merge -p '{"globalDefault":true}' 2>&1); st=$?
is "$st" 1 "marking another class default is refused too"
has "$out" 'priorityclasses.scheduling.k8s.io "high" is forbidden: PriorityClass default-low is already marked as default. Only one default can exist' \
	"with the same message"
out=$(k patch pc default-low --type merge -p '{"description":"the default"}' 2>&1)
is "$out" "priorityclass.scheduling.k8s.io/default-low patched" "the default class itself may be updated"
pod p-default >/dev/null
is "$(k get pod p-default -o jsonpath='{.spec.priority}/{.spec.priorityClassName}' 2>&1)" \
	"500/default-low" "a pod without a class gets the default class and its value"

# --- immutable fields, reserved names, limits -----------------------------------
out=$(k patch pc high --type merge -p '{"value":2000}' 2>&1); st=$?
is "$st" 1 "value cannot change"
has "$out" 'The PriorityClass "high" is invalid: value: Forbidden: may not be changed in an update.' \
	"422 with Kubernetes' message"
out=$(k patch pc high --type merge -p '{"preemptionPolicy":"Never"}' 2>&1); st=$?
is "$st" 1 "preemptionPolicy cannot change"
has "$out" 'The PriorityClass "high" is invalid: preemptionPolicy: Invalid value: "Never": field is immutable' \
	"422 with Kubernetes' message"
out=$(class system-mine 10); st=$?
is "$st" 1 "a system- name is reserved"
has "$out" "The PriorityClass \"system-mine\" is invalid: metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class" \
	"422 with Kubernetes' message"
out=$(class too-high 1000000001); st=$?
is "$st" 1 "a user class above 1000000000 is refused"
has "$out" 'The PriorityClass "too-high" is invalid: value: Forbidden: maximum allowed value of a user defined priority is 1000000000' \
	"422 with Kubernetes' message"
out=$(class bad-policy 1 "preemptionPolicy: Sometimes"); st=$?
is "$st" 1 "an unknown preemptionPolicy is refused"
has "$out" 'preemptionPolicy: Unsupported value: "Sometimes": supported values: "PreemptLowerPriority", "Never"' \
	"422 with Kubernetes' message"
out=$(class int-overflow 3000000000); st=$?
is "$st" 1 "a value beyond int32 is refused by decoding"

# --- deletion --------------------------------------------------------------------
out=$(k delete pc system-node-critical 2>&1); st=$?
is "$st" 1 "a system class cannot be deleted"
has "$out" 'Error from server (Forbidden): priorityclasses.scheduling.k8s.io "system-node-critical" is forbidden: this is a system priority class and cannot be deleted' \
	"403 with Kubernetes' message"
is "$(k get pc system-node-critical -o name 2>&1)" "priorityclass.scheduling.k8s.io/system-node-critical" "and it is still there"
out=$(k delete pc never 2>&1)
is "$out" 'priorityclass.scheduling.k8s.io "never" deleted' "a user class can be deleted"
out=$(pod p-gone "priorityClassName: never"); st=$?
is "$st" 1 "a pod naming the deleted class is refused at once"

# --- the classes survive a restart, and are not created twice -----------------
stop_server
start_server --disable-agent --disable-controller-manager --disable-cloud-controller
out=$(k get pc -o name 2>&1)
is "$(printf '%s\n' "$out" | grep -c system-)" "2" "after a restart: the two system classes, once each"
has "$out" "priorityclass.scheduling.k8s.io/high" "and the user classes"

# --- kubectl 1.20 ------------------------------------------------------------
KUBECTL120=${K8C_KUBECTL120:-/opt/k8c-test/kubectl-1.20/usr/bin/kubectl}
if [ -x "$KUBECTL120" ]; then
	k120() { "$KUBECTL120" --kubeconfig "$KUBECONFIG_FILE" --cache-dir "$TMP/kcache120" "$@"; }
	out=$(k120 get pc 2>&1)
	like "$out" "^system-node-critical +2000001000 +false +" "kubectl 1.20 lists the classes"
	printf 'apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: old-client}\nvalue: 7\n' >"$TMP/pc.yaml"
	out=$(k120 create -f "$TMP/pc.yaml" 2>&1)
	is "$out" "priorityclass.scheduling.k8s.io/old-client created" "kubectl 1.20 creates one (validated with /openapi/v2)"
	printf 'apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: no-value}\n' >"$TMP/pc.yaml"
	out=$(k120 create -f "$TMP/pc.yaml" 2>&1); st=$?
	is "$st" 1 "kubectl 1.20 refuses a class without value (required in /openapi/v2)"
	has "$out" 'missing required field "value"' "as its client-side validation words it"
else
	echo "ok $((tap_n + 1)) # SKIP kubectl 1.20 is not at $KUBECTL120"
	tap_n=$((tap_n + 1))
fi

tap_done
