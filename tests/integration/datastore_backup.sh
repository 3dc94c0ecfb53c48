#!/bin/sh
# k8c datastore backup/restore: a populated cluster goes from SQLite to
# etcd and back through backup files; every object comes back with its
# content, and the objects' resourceVersions keep their order.
. "$top_srcdir/tests/lib.sh"
tap_tmpdir
if ! [ -x /usr/bin/etcd ]; then
	echo "1..0 # SKIP /usr/bin/etcd is not installed (Debian's etcd-server)"
	exit 0
fi
. "$top_srcdir/tests/integration/server_lib.sh"
k() { kubectl --kubeconfig "$KUBECONFIG_FILE" --cache-dir "$TMP/kcache" "$@"; }
flags="--disable-agent --disable-scheduler --disable-controller-manager --disable-cloud-controller"

# objects as a user sees them, without what differs between stores by
# design (resourceVersion values, uid stays: it is part of the object)
snapshot() { # file
	k get namespaces,configmaps,secrets,deployments,services,pods -A -o json |
		python3 -c 'import json, sys
items = json.load(sys.stdin)["items"]
for o in items:
    o["metadata"].pop("resourceVersion", None)
items.sort(key=lambda o: (o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]))
print(json.dumps(items, sort_keys=True, indent=1))' >"$1"
}
# resourceVersion order of the configmaps in namespace backup
rv_order() {
	k get configmaps -n backup -o json | python3 -c 'import json, sys
items = json.load(sys.stdin)["items"]
items.sort(key=lambda o: int(o["metadata"]["resourceVersion"]))
print(" ".join(o["metadata"]["name"] for o in items))'
}

# --- a populated cluster on SQLite -----------------------------------------------
start_server $flags
k create namespace backup >/dev/null
for i in 1 2 3 4 5; do k create configmap "cm$i" -n backup --from-literal=i="$i" >/dev/null; done
k create secret generic s1 -n backup --from-literal=password=hunter2 >/dev/null
k create deployment web -n backup --image=nginx --replicas=3 >/dev/null
k expose deployment web -n backup --port=80 >/dev/null
k label configmap cm2 -n backup touched=yes >/dev/null # cm2 now after the secret
k run lonely -n backup --image=busybox >/dev/null
order_sqlite=$(rv_order)
snapshot "$TMP/sqlite.json"
stop_server

"$K8C" datastore backup "$TMP/one.backup" --data-dir "$K8C_DATA" >"$TMP/out" 2>&1
ok $? "backup of the SQLite datastore: $(cat "$TMP/out")"
[ -s "$TMP/one.backup" ] && ! [ -e "$TMP/one.backup.tmp" ]
ok $? "the backup file is complete (no .tmp left)"
head -1 "$TMP/one.backup" | grep -q '"kind":"K8cDatastoreBackup"'
ok $? "it starts with its header"
tail -1 "$TMP/one.backup" | grep -q '"end":true'
ok $? "and ends with its end line"

# --- into etcd ----------------------------------------------------------------------------
start_etcd
"$K8C" datastore restore "$TMP/one.backup" --datastore-endpoint "$ETCD_ENDPOINT" \
	--data-dir "$TMP/etcd-side" >"$TMP/out" 2>&1
ok $? "restore into an empty etcd: $(cat "$TMP/out")"
"$K8C" datastore restore "$TMP/one.backup" --datastore-endpoint "$ETCD_ENDPOINT" \
	--data-dir "$TMP/etcd-side" >"$TMP/out" 2>&1
is $? 1 "a second restore is refused"
like "$(cat "$TMP/out")" "not empty" "because the datastore is not empty"

K8C_STORE_ARGS="--datastore-endpoint $ETCD_ENDPOINT"
mv "$TMP/server.log" "$TMP/server1.log"
start_server $flags
snapshot "$TMP/etcd.json"
cmp -s "$TMP/sqlite.json" "$TMP/etcd.json"
ok $? "on etcd every object is there as it was"
is "$(rv_order)" "$order_sqlite" "resourceVersions keep their order"
k create configmap after-restore -n backup >/dev/null
ok $? "and the cluster takes writes"
k delete configmap after-restore -n backup >/dev/null
stop_server

# --- and back to SQLite -------------------------------------------------------------------
"$K8C" datastore backup "$TMP/two.backup" --datastore-endpoint "$ETCD_ENDPOINT" >"$TMP/out" 2>&1
ok $? "backup of the etcd datastore: $(cat "$TMP/out")"
"$K8C" datastore restore "$TMP/two.backup" --data-dir "$TMP/back" >"$TMP/out" 2>&1
ok $? "restore into a new SQLite datastore: $(cat "$TMP/out")"
K8C_STORE_ARGS=
mv "$TMP/data" "$TMP/data-first"
mv "$TMP/back" "$TMP/data"
mv "$TMP/server.log" "$TMP/server2.log"
start_server $flags
snapshot "$TMP/back.json"
cmp -s "$TMP/sqlite.json" "$TMP/back.json"
ok $? "back on SQLite every object is there as it was"
is "$(rv_order)" "$order_sqlite" "resourceVersions still keep their order"
stop_server

# --- damaged and foreign files ----------------------------------------------------------------
head -n 5 "$TMP/one.backup" >"$TMP/cut.backup"
"$K8C" datastore restore "$TMP/cut.backup" --data-dir "$TMP/cut" >"$TMP/out" 2>&1
is $? 1 "a truncated backup is refused"
like "$(cat "$TMP/out")" "incomplete backup" "saying it is incomplete"
echo '{"hello":1}' >"$TMP/foreign"
"$K8C" datastore restore "$TMP/foreign" --data-dir "$TMP/foreign-dir" >"$TMP/out" 2>&1
like "$(cat "$TMP/out")" "not a k8c datastore backup" "a foreign file is refused"
"$K8C" datastore backup >"$TMP/out" 2>&1
is $? 2 "no FILE: usage error"
tap_done
