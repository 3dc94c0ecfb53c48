#!/bin/sh
# Events expire (--event-ttl) as in Kubernetes, on both stores (this test
# runs again as etcd/event_ttl.etcd): an event is deleted --event-ttl after
# its last write, a watch sees the DELETED, other objects stay.
. "$top_srcdir/tests/lib.sh"
tap_tmpdir
. "$top_srcdir/tests/integration/server_lib.sh"

config=
if [ -n "$K8C_STORE_ARGS" ]; then
	# no lease sharing: events gone right after their TTL, not up to a minute later
	printf 'plugins:\n  store:\n    etcd:\n      leaseReuseSeconds: 0\n' >"$TMP/config.yaml"
	config="--config $TMP/config.yaml"
fi
# shellcheck disable=SC2086
start_server --event-ttl 3s $config --disable-agent --disable-scheduler --disable-controller-manager \
	--disable-cloud-controller
ns=/api/v1/namespaces/default
rv=$(api GET "$ns/events" | sed -n 's/.*"resourceVersion":"\([0-9]*\)".*/\1/p' | head -1)
curl -sN "http://127.0.0.1:$K8C_PORT$ns/events?watch=true&resourceVersion=$rv&timeoutSeconds=30" \
	>"$TMP/watch.out" 2>/dev/null &
watch_pid=$!
tap_at_exit "kill $watch_pid 2>/dev/null"

event='{"metadata":{"name":"e1"},"involvedObject":{"kind":"Pod","name":"p","namespace":"default"},"reason":"Tested","message":"m","type":"Normal"}'
is "$(api POST "$ns/events" -H 'Content-Type: application/json' -d "$event" -o /dev/null -w '%{http_code}')" 201 \
	"a core/v1 Event is created"
is "$(api POST /apis/events.k8s.io/v1/namespaces/default/events -H 'Content-Type: application/json' \
	-d '{"metadata":{"name":"e2"},"eventTime":"2026-01-01T00:00:00.000000Z","reportingController":"t","reportingInstance":"i","action":"Test","reason":"Tested","regarding":{"kind":"Pod","name":"p","namespace":"default"},"type":"Normal"}' \
	-o /dev/null -w '%{http_code}')" 201 "an events.k8s.io/v1 Event too"
is "$(api POST "$ns/configmaps" -H 'Content-Type: application/json' -d '{"metadata":{"name":"stays"}}' \
	-o /dev/null -w '%{http_code}')" 201 "and a ConfigMap"
start=$(date +%s)
sleep 1
is "$(api GET "$ns/events/e1" -o /dev/null -w '%{http_code}')" 200 "after 1 s the event is there"
# updating it (as a recorder bumps count) pushes its deadline back
api PATCH "$ns/events/e1" -H 'Content-Type: application/merge-patch+json' -d '{"count":2}' -o /dev/null
bumped=$(date +%s)
i=0
while [ $i -lt 200 ] && [ "$(api GET "$ns/events/e1" -o /dev/null -w '%{http_code}')" = 200 ]; do
	sleep 0.1; i=$((i + 1))
done
gone=$(date +%s)
is "$(api GET "$ns/events/e1" -o /dev/null -w '%{http_code}')" 404 "then it expires ($((gone - start)) s after its creation)"
[ $((gone - bumped)) -ge 2 ]
ok $? "no sooner than its TTL after its last write ($((gone - bumped)) s)"
i=0
while [ $i -lt 100 ] && [ "$(api GET /apis/events.k8s.io/v1/namespaces/default/events/e2 -o /dev/null -w '%{http_code}')" = 200 ]; do
	sleep 0.1; i=$((i + 1))
done
is "$(api GET /apis/events.k8s.io/v1/namespaces/default/events/e2 -o /dev/null -w '%{http_code}')" 404 \
	"the events.k8s.io/v1 Event expires too"
is "$(api GET "$ns/configmaps/stays" -o /dev/null -w '%{http_code}')" 200 "the ConfigMap stays"
sleep 0.5
kill "$watch_pid" 2>/dev/null
grep -q '"type":"DELETED".*"name":"e1"' "$TMP/watch.out"
ok $? "a watch saw the event DELETED"
stop_server

"$K8C" server --data-dir "$TMP/d2" --port 0 --event-ttl 5x >"$TMP/bad.log" 2>&1
is $? 1 "a malformed --event-ttl stops the server"
like "$(cat "$TMP/bad.log")" 'event-ttl.*unknown unit' "saying what is wrong"
tap_done
