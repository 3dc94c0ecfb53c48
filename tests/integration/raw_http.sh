#!/bin/sh
# Raw HTTP against `k8c server`: Status objects for bad input, 413, 404,
# 405, conflicts, watch resume and 410, and a rejected request changes nothing.
. "$top_srcdir/tests/lib.sh"
tap_tmpdir
. "$top_srcdir/tests/integration/server_lib.sh"
start_server

ns=/api/v1/namespaces/default
code() { curl -s -o "$TMP/body" -w '%{http_code}' "$@"; }

is "$(code "http://127.0.0.1:$K8C_PORT/healthz")" 200 "/healthz 200"
is "$(cat "$TMP/body")" ok "/healthz says ok"
is "$(code "http://127.0.0.1:$K8C_PORT/readyz")" 200 "/readyz 200"
is "$(code "http://127.0.0.1:$K8C_PORT/livez")" 200 "/livez 200"
is "$(code "http://127.0.0.1:$K8C_PORT/version")" 200 "/version 200"
like "$(cat "$TMP/body")" '"major":"1","minor":"32"' "version major 1 minor 32"
api GET "$ns/pods" >/dev/null
is "$(code "http://127.0.0.1:$K8C_PORT/metrics")" 200 "/metrics 200"
like "$(cat "$TMP/body")" '^apiserver_request_total\{verb="LIST",group="",resource="pods",code="200"\} [1-9]' "/metrics counts requests by verb, resource and code"
like "$(cat "$TMP/body")" '^apiserver_request_duration_seconds_bucket\{verb="LIST",group="",resource="pods",le="0.005"\}' "with latency histograms"
like "$(cat "$TMP/body")" '^k8c_datastore_request_duration_seconds_count\{operation="create"\} [1-9]' "datastore latency"
like "$(cat "$TMP/body")" '^apiserver_registered_watchers\{group="",resource="pods"\} 0' "and watchers"
is "$(code "http://127.0.0.1:$K8C_PORT/apis/nope/v1/things")" 404 "an unknown resource is 404"
like "$(cat "$TMP/body")" '"kind":"Status".*"reason":"NotFound"' "as a NotFound Status"

before=$(api GET "$ns/configmaps" | sed 's/.*"resourceVersion":"\([0-9]*\)".*/\1/')
is "$(code -X POST -H 'Content-Type: application/json' -d '{"metadata":{"name":' "http://127.0.0.1:$K8C_PORT$ns/configmaps")" 400 "malformed JSON is 400"
like "$(cat "$TMP/body")" '"reason":"BadRequest"' "as a BadRequest Status"
head -c 3200000 /dev/zero | tr '\0' 'a' > "$TMP/big"
is "$(code -X POST -H 'Content-Type: application/json' --data-binary @"$TMP/big" "http://127.0.0.1:$K8C_PORT$ns/configmaps")" 413 "a body over 3 MiB is 413"
like "$(cat "$TMP/body")" '"reason":"RequestEntityTooLarge"' "as RequestEntityTooLarge"
is "$(code -X POST -H 'Content-Type: application/json' -d '{"metadata":{"name":"UPPER"}}' "http://127.0.0.1:$K8C_PORT$ns/configmaps")" 422 "an invalid name is 422"
like "$(cat "$TMP/body")" '"causes":\[\{"reason":"FieldValueInvalid".*"field":"metadata.name"' "with a field cause"
after=$(api GET "$ns/configmaps" | sed 's/.*"resourceVersion":"\([0-9]*\)".*/\1/')
is "$after" "$before" "rejected requests changed nothing (same list resourceVersion)"

is "$(code -X POST -H 'Content-Type: application/json' -d '{"metadata":{"name":"c1"},"data":{"a":"1"}}' "http://127.0.0.1:$K8C_PORT$ns/configmaps")" 201 "create 201"
rv=$(sed 's/.*"resourceVersion":"\([0-9]*\)".*/\1/' "$TMP/body")
is "$(code -X PUT -H 'Content-Type: application/json' -d "{\"metadata\":{\"name\":\"c1\",\"resourceVersion\":\"$rv\"},\"data\":{\"a\":\"2\"}}" "http://127.0.0.1:$K8C_PORT$ns/configmaps/c1")" 200 "update with the current resourceVersion"
is "$(code -X PUT -H 'Content-Type: application/json' -d "{\"metadata\":{\"name\":\"c1\",\"resourceVersion\":\"$rv\"},\"data\":{\"a\":\"3\"}}" "http://127.0.0.1:$K8C_PORT$ns/configmaps/c1")" 409 "update with a stale resourceVersion is 409"
like "$(cat "$TMP/body")" '"reason":"Conflict"' "as a Conflict Status"
is "$(code -X PATCH -H 'Content-Type: application/json-patch+json' -d '[{"op":"test","path":"/data/a","value":"nope"}]' "http://127.0.0.1:$K8C_PORT$ns/configmaps/c1")" 422 "a failed JSON patch test is 422"
is "$(code -X PATCH -H 'Content-Type: application/merge-patch+json' -d '{"data":{"b":"x"}}' "http://127.0.0.1:$K8C_PORT$ns/configmaps/c1")" 200 "merge patch"
like "$(cat "$TMP/body")" '"data":\{"a":"2","b":"x"\}' "merged"
is "$(code -X PATCH -H 'Content-Type: text/plain' -d 'x' "http://127.0.0.1:$K8C_PORT$ns/configmaps/c1")" 415 "an unknown patch type is 415"

# a namespace just used and then deleted takes no new objects (without a
# namespace controller it stays Terminating with its content)
api POST /api/v1/namespaces -H 'Content-Type: application/json' -d '{"metadata":{"name":"brief"}}' >/dev/null
is "$(code -X POST -H 'Content-Type: application/json' -d '{"metadata":{"name":"a"}}' "http://127.0.0.1:$K8C_PORT/api/v1/namespaces/brief/configmaps")" 201 "create in a new namespace"
api DELETE /api/v1/namespaces/brief >/dev/null
is "$(code -X POST -H 'Content-Type: application/json' -d '{"metadata":{"name":"b"}}' "http://127.0.0.1:$K8C_PORT/api/v1/namespaces/brief/configmaps")" 403 "after the namespace is deleted, creating in it is 403"
like "$(cat "$TMP/body")" '"reason":"NamespaceTerminating"' "the namespace is terminating"
like "$(api GET /api/v1/namespaces/brief)" '"phase":"Terminating"' "Terminating"
is "$(code -X PUT -H 'Content-Type: application/json' -d '{"metadata":{"name":"brief"},"spec":{"finalizers":[]}}' "http://127.0.0.1:$K8C_PORT/api/v1/namespaces/brief/finalize")" 200 "PUT namespaces/brief/finalize without the kubernetes finalizer"
is "$(code "http://127.0.0.1:$K8C_PORT/api/v1/namespaces/brief")" 404 "then the namespace is deleted"

# watch resume: events after a resourceVersion, in order
rv=$(api GET "$ns/configmaps/c1" | sed 's/.*"resourceVersion":"\([0-9]*\)".*/\1/')
api PATCH "$ns/configmaps/c1" -H 'Content-Type: application/merge-patch+json' -d '{"data":{"c":"1"}}' >/dev/null
api DELETE "$ns/configmaps/c1" >/dev/null
out=$(curl -s -m 3 "http://127.0.0.1:$K8C_PORT$ns/configmaps?watch=true&resourceVersion=$rv&timeoutSeconds=1")
like "$out" '^\{"type":"MODIFIED"' "watch from a resourceVersion replays the change"
like "$out" '^\{"type":"DELETED"' "and the delete"
is "$(printf '%s\n' "$out" | grep -c .)" 2 "exactly those two events"
out=$(curl -s -m 3 "http://127.0.0.1:$K8C_PORT$ns/configmaps?watch=true&timeoutSeconds=1")
unlike "$out" 'c1' "a watch from now does not see the deleted object"

# label-selected watch through the shared hub: objects entering and
# leaving the selector's scope are ADDED and DELETED, as in Kubernetes
rv=$(api GET "$ns/configmaps" | sed 's/.*"resourceVersion":"\([0-9]*\)".*/\1/')
pids=""
for i in 1 2 3; do
	curl -s -m 4 "http://127.0.0.1:$K8C_PORT$ns/configmaps?watch=1&labelSelector=app%3Da&resourceVersion=$rv&timeoutSeconds=3" > "$TMP/w$i" &
	pids="$pids $!"
done
sleep 0.5
api POST "$ns/configmaps" -H 'Content-Type: application/json' -d '{"metadata":{"name":"sel","labels":{"app":"a"}}}' >/dev/null
api PATCH "$ns/configmaps/sel" -H 'Content-Type: application/merge-patch+json' -d '{"metadata":{"labels":{"app":"b"}}}' >/dev/null
api PATCH "$ns/configmaps/sel" -H 'Content-Type: application/merge-patch+json' -d '{"data":{"x":"1"}}' >/dev/null
api PATCH "$ns/configmaps/sel" -H 'Content-Type: application/merge-patch+json' -d '{"metadata":{"labels":{"app":"a"}}}' >/dev/null
api DELETE "$ns/configmaps/sel" >/dev/null
wait $pids
for i in 1 2 3; do
	is "$(sed 's/^{"type":"\([A-Z]*\)".*/\1/' "$TMP/w$i" | tr '\n' ' ')" "ADDED DELETED ADDED DELETED " "selector watch $i: entering and leaving the scope"
done

# a LIST longer than one store page (500) is streamed page by page: the
# same items, valid JSON, selectors applied on every page
api POST /api/v1/namespaces -H 'Content-Type: application/json' -d '{"metadata":{"name":"many"}}' -o /dev/null
python3 - "$K8C_PORT" <<'EOF'
import json, sys, urllib.request
from concurrent.futures import ThreadPoolExecutor
url = "http://127.0.0.1:%s/api/v1/namespaces/many/configmaps" % sys.argv[1]
def create(i):
    body = json.dumps({"metadata": {"name": "cm%04d" % i, "labels": {"half": str(i % 2)}}}).encode()
    req = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    urllib.request.urlopen(req).read()
with ThreadPoolExecutor(8) as ex:
    list(ex.map(create, range(1234)))
EOF
api GET /api/v1/namespaces/many/configmaps >"$TMP/many.json"
is "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["items"]), len({i["metadata"]["name"] for i in d["items"]}), d["kind"], bool(d["metadata"]["resourceVersion"]))' "$TMP/many.json")" \
	"1234 1234 ConfigMapList True" "a LIST of 1,234 items (three store pages) is whole and valid"
api GET "/api/v1/namespaces/many/configmaps?labelSelector=half%3D1" >"$TMP/half.json"
is "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["items"]), all(i["metadata"]["labels"]["half"] == "1" for i in d["items"]))' "$TMP/half.json")" \
	"617 True" "with a label selector across pages"

# LIST at a resourceVersion: Exact reads that state, NotOlderThan (or none)
# the latest, a future one is 504 after a short wait, bad combinations 400
r_one=$(api POST "$ns/configmaps" -H 'Content-Type: application/json' -d '{"metadata":{"name":"rv-one"}}' |
	sed 's/.*"resourceVersion":"\([0-9]*\)".*/\1/')
api POST "$ns/configmaps" -H 'Content-Type: application/json' -d '{"metadata":{"name":"rv-two"}}' -o /dev/null
out=$(api GET "$ns/configmaps?resourceVersion=$r_one&resourceVersionMatch=Exact")
like "$out" "\"resourceVersion\":\"$r_one\"" "LIST with resourceVersionMatch=Exact is served at that revision"
unlike "$out" '"name":"rv-two"' "without what came after"
like "$(api GET "$ns/configmaps?resourceVersion=$r_one")" '"name":"rv-two"' "NotOlderThan (the default) serves the latest"
is "$(api GET "$ns/configmaps?resourceVersion=999999999" -o /dev/null -w '%{http_code}')" 504 \
	"a resourceVersion the store has not reached is 504 Too large resource version"
is "$(api GET "$ns/configmaps?watch=true&resourceVersion=999999999" -o "$TMP/far" -w '%{http_code}')" 504 \
	"so is a watch from it (after a restore, clients list anew)"
like "$(cat "$TMP/far")" 'Too large resource version' "saying why"
is "$(api GET "$ns/configmaps?resourceVersionMatch=Exact" -o /dev/null -w '%{http_code}')" 400 \
	"resourceVersionMatch without resourceVersion is 400"

# kill -9 and restart: acknowledged writes survive, resourceVersion moves on
for i in 1 2 3 4 5; do api POST "$ns/configmaps" -H 'Content-Type: application/json' -d "{\"metadata\":{\"name\":\"k$i\"}}" >/dev/null; done
last=$(api GET "$ns/configmaps/k5" | sed 's/.*"resourceVersion":"\([0-9]*\)".*/\1/')
kill -9 "$K8C_PID"; wait "$K8C_PID" 2>/dev/null
# shellcheck disable=SC2086
"$K8C" server --data-dir "$K8C_DATA" --port "$K8C_PORT" $K8C_STORE_ARGS --disable-agent --disable-scheduler >"$TMP/server2.log" 2>&1 &
K8C_PID=$!
tap_at_exit "kill -9 $K8C_PID 2>/dev/null"
i=0; while [ $i -lt 100 ] && ! grep -q "running:" "$TMP/server2.log"; do sleep 0.1; i=$((i + 1)); done
is "$(api GET "$ns/configmaps/k5" | sed 's/.*"resourceVersion":"\([0-9]*\)".*/\1/')" "$last" "after kill -9 every acknowledged write is there"
api POST "$ns/configmaps" -H 'Content-Type: application/json' -d '{"metadata":{"name":"after"}}' > "$TMP/after"
new=$(sed 's/.*"resourceVersion":"\([0-9]*\)".*/\1/' "$TMP/after")
ok "$(test "$new" -gt "$last"; echo $?)" "resourceVersion keeps growing after a restart ($last -> $new)"
stop_server
tap_done
