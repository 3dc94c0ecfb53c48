#!/bin/sh
# core/v1 and events.k8s.io/v1 Events are one set of objects, as in
# Kubernetes (this test runs again as etcd/events_api.etcd): an event
# written through either API is read, listed, watched, patched and deleted
# through the other, with the fields each version names its own way.
. "$top_srcdir/tests/lib.sh"
tap_tmpdir
. "$top_srcdir/tests/integration/server_lib.sh"
start_server --disable-agent --disable-scheduler --disable-controller-manager --disable-cloud-controller
core=/api/v1/namespaces/default/events
new=/apis/events.k8s.io/v1/namespaces/default/events
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

rv=$(api GET "$new" | json 'd["metadata"]["resourceVersion"]')
curl -sN "http://127.0.0.1:$K8C_PORT$new?watch=true&resourceVersion=$rv&timeoutSeconds=5" >"$TMP/watch.out" 2>/dev/null &
watch_pid=$!
tap_at_exit "kill $watch_pid 2>/dev/null"

is "$(api POST "$core" -H 'Content-Type: application/json' -o /dev/null -w '%{http_code}' -d \
	'{"metadata":{"name":"from-core"},"involvedObject":{"kind":"Pod","name":"p","namespace":"default"},"reason":"Started","message":"hello","type":"Normal","source":{"component":"kubelet"},"count":3}')" \
	201 "a core/v1 Event is created"
is "$(api GET "$new/from-core" | json 'd["apiVersion"], d["note"], d["regarding"]["name"], d["deprecatedSource"]["component"], d["deprecatedCount"], "message" in d')" \
	"events.k8s.io/v1 hello p kubelet 3 False" "events.k8s.io/v1 reads it: note, regarding, deprecatedSource, deprecatedCount"
is "$(api POST "$new" -H 'Content-Type: application/json' -o /dev/null -w '%{http_code}' -d \
	'{"metadata":{"name":"from-new"},"eventTime":"2026-01-01T00:00:00.000000Z","reportingController":"ctl","reportingInstance":"i1","action":"Act","reason":"R","regarding":{"kind":"Pod","name":"p","namespace":"default"},"note":"n","type":"Warning"}')" \
	201 "an events.k8s.io/v1 Event is created"
is "$(api GET "$core/from-new" | json 'd["apiVersion"], d["message"], d["involvedObject"]["name"], d["reportingComponent"], d["reportingInstance"], "note" in d')" \
	"v1 n p ctl i1 False" "core/v1 reads it: message, involvedObject, reportingComponent"
is "$(api GET "$core" | json '" ".join(sorted(i["metadata"]["name"] for i in d["items"])), {i["apiVersion"] for i in d["items"]} == {"v1"}')" \
	"from-core from-new True" "the core/v1 list has both, as v1"
is "$(api GET "$new" | json '" ".join(sorted(i["metadata"]["name"] for i in d["items"])), {i["apiVersion"] for i in d["items"]} == {"events.k8s.io/v1"}')" \
	"from-core from-new True" "the events.k8s.io/v1 list has both, as events.k8s.io/v1"
# events.k8s.io/v1 lets an update change the series only (note is immutable)
is "$(api PATCH "$new/from-new" -H 'Content-Type: application/merge-patch+json' -o /dev/null -w '%{http_code}' \
	-d '{"series":{"count":2,"lastObservedTime":"2026-01-01T00:05:00.000000Z"}}')" \
	200 "a merge patch of the series through events.k8s.io/v1"
is "$(api GET "$core/from-new" | json 'd["series"]["count"], d["message"]')" "2 n" "shows through core/v1, the rest kept"
is "$(api PATCH "$new/from-new" -H 'Content-Type: application/merge-patch+json' -o /dev/null -w '%{http_code}' -d '{"note":"changed"}')" \
	422 "note is immutable through events.k8s.io/v1, as in Kubernetes"
is "$(api PATCH "$core/from-core" -H 'Content-Type: application/merge-patch+json' -o /dev/null -w '%{http_code}' -d '{"message":"patched"}')" \
	200 "core/v1 may change the message"
is "$(api GET "$new/from-core" | json 'd["note"], d["deprecatedCount"]')" "patched 3" "which events.k8s.io/v1 reads as note"
is "$(api DELETE "$core/from-new" -o /dev/null -w '%{http_code}')" 200 "a delete through core/v1"
is "$(api GET "$new/from-new" -o /dev/null -w '%{http_code}')" 404 "is a 404 through events.k8s.io/v1"
sleep 0.5
kill "$watch_pid" 2>/dev/null
python3 - "$TMP/watch.out" >"$TMP/watch.check" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
seen = [(e["type"], e["object"]["metadata"]["name"], e["object"].get("apiVersion"), e["object"].get("note")) for e in ev]
ok = ("ADDED", "from-core", "events.k8s.io/v1", "hello") in seen and ("DELETED", "from-new", "events.k8s.io/v1", "n") in seen
print(0 if ok else 1, "an events.k8s.io/v1 watch sees core/v1 writes, converted: %s" % seen)
PY
while read -r status desc; do ok "$status" "$desc"; done <"$TMP/watch.check"
out=$(kubectl --kubeconfig "$KUBECONFIG_FILE" --cache-dir "$TMP/kcache" events 2>&1)
like "$out" "patched" "kubectl events (events.k8s.io/v1) shows the core/v1 event"
stop_server
tap_done
