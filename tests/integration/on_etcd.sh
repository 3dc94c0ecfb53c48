#!/bin/sh
# Runs tests/integration/NAME.sh for the marker tests/integration/etcd/NAME.etcd
# with the server's state in a real etcd instead of SQLite (store-etcd;
# server_lib.sh starts the etcd).  The same assertions hold on both stores.
K8C_TEST_DATASTORE=etcd
export K8C_TEST_DATASTORE
name=$(basename "$1" .etcd)
exec /bin/sh "$(dirname "$1")/../$name.sh"
