#!/bin/sh
# History is compacted on both stores (this test runs again as
# etcd/watch_expired.etcd): a watch from a resourceVersion older than the
# kept history gets 410 Expired, as an ERROR event; one from a recent
# resourceVersion resumes.
. "$top_srcdir/tests/lib.sh"
tap_tmpdir
. "$top_srcdir/tests/integration/server_lib.sh"

if [ -n "$K8C_STORE_ARGS" ]; then
	printf 'plugins:\n  store:\n    etcd:\n      compactIntervalSeconds: 1\n' >"$TMP/config.yaml"
else
	printf 'plugins:\n  store:\n    sqlite:\n      retainRevisions: 5\n      compactIntervalSeconds: 1\n' >"$TMP/config.yaml"
fi
start_server --config "$TMP/config.yaml" --disable-agent --disable-scheduler \
	--disable-controller-manager --disable-cloud-controller
ns=/api/v1/namespaces/default
old=$(api POST "$ns/configmaps" -H 'Content-Type: application/json' -d '{"metadata":{"name":"c"},"data":{"n":"0"}}' |
	sed -n 's/.*"resourceVersion":"\([0-9]*\)".*/\1/p')
for i in $(seq 1 20); do
	api PATCH "$ns/configmaps/c" -H 'Content-Type: application/merge-patch+json' -d "{\"data\":{\"n\":\"$i\"}}" -o /dev/null
done
sleep 3 # two compaction intervals
for i in $(seq 21 25); do
	api PATCH "$ns/configmaps/c" -H 'Content-Type: application/merge-patch+json' -d "{\"data\":{\"n\":\"$i\"}}" -o /dev/null
done
sleep 2.5
recent=$(api GET "$ns/configmaps/c" | sed -n 's/.*"resourceVersion":"\([0-9]*\)".*/\1/p')
curl -s -m 5 "http://127.0.0.1:$K8C_PORT$ns/configmaps?watch=true&resourceVersion=$old&timeoutSeconds=2" >"$TMP/old.out"
like "$(cat "$TMP/old.out")" '"type":"ERROR"' "a watch from a compacted resourceVersion ($old) gets an ERROR event"
like "$(cat "$TMP/old.out")" '"code":410' "with code 410"
like "$(cat "$TMP/old.out")" '"reason":"Expired"' "and reason Expired"
api PATCH "$ns/configmaps/c" -H 'Content-Type: application/merge-patch+json' -d '{"data":{"n":"last"}}' -o /dev/null &
curl -s -m 5 "http://127.0.0.1:$K8C_PORT$ns/configmaps?watch=true&resourceVersion=$recent&timeoutSeconds=2" >"$TMP/recent.out"
wait $!
like "$(cat "$TMP/recent.out")" '"type":"MODIFIED".*"n":"last"' "a watch from the latest resourceVersion ($recent) resumes"
unlike "$(cat "$TMP/recent.out")" '"type":"ERROR"' "without an error"
stop_server
tap_done
