#!/bin/sh
# store-etcd over https with a client certificate: etcd requires one signed
# by the test's CA; k8c connects with caFile, certFile and keyFile from its
# config file, and is refused without them.
. "$top_srcdir/tests/lib.sh"
tap_tmpdir
if ! [ -x /usr/bin/etcd ] || ! command -v openssl >/dev/null; then
	echo "1..0 # SKIP needs /usr/bin/etcd (etcd-server) and openssl"
	exit 0
fi

# --- a CA, a server certificate for 127.0.0.1, a client certificate -------------
pki="$TMP/pki"
mkdir -p "$pki"
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
key "$pki/ca.key"
openssl req -x509 -new -key "$pki/ca.key" -out "$pki/ca.crt" -days 1 -subj /CN=k8c-test-ca 2>/dev/null
for who in server client; do
	key "$pki/$who.key"
	openssl req -new -key "$pki/$who.key" -out "$pki/$who.csr" -subj "/CN=k8c-test-$who" 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n' >"$pki/$who.ext"
	openssl x509 -req -in "$pki/$who.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
		-out "$pki/$who.crt" -days 1 -extfile "$pki/$who.ext" 2>/dev/null
done
[ -s "$pki/server.crt" ] && [ -s "$pki/client.crt" ]
ok $? "a test CA with a server and a client certificate"

# --- etcd on https, client certificates required ------------------------------------
set -- $(python3 -c 'import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
url="https://127.0.0.1:$1"
/usr/bin/etcd --name t --data-dir "$TMP/etcd" \
	--listen-client-urls "$url" --advertise-client-urls "$url" \
	--cert-file "$pki/server.crt" --key-file "$pki/server.key" \
	--client-cert-auth --trusted-ca-file "$pki/ca.crt" \
	--listen-peer-urls "http://127.0.0.1:$2" --initial-advertise-peer-urls "http://127.0.0.1:$2" \
	--initial-cluster "t=http://127.0.0.1:$2" --logger zap --log-level warn >"$TMP/etcd.log" 2>&1 &
tap_at_exit "kill -9 $! 2>/dev/null"
i=0
while [ $i -lt 300 ] && ! curl -s --cacert "$pki/ca.crt" --cert "$pki/client.crt" --key "$pki/client.key" \
	"$url/health" | grep -q '"true"'; do sleep 0.1; i=$((i + 1)); done
[ $i -lt 300 ]
ok $? "etcd answers on $url to a client with a certificate"

# --- k8c with the certificate ---------------------------------------------------------
cat >"$TMP/config.yaml" <<EOF
plugins:
  store:
    etcd:
      caFile: $pki/ca.crt
      certFile: $pki/client.crt
      keyFile: $pki/client.key
EOF
. "$top_srcdir/tests/integration/server_lib.sh"
K8C_STORE_ARGS="--datastore-endpoint $url --config $TMP/config.yaml"
start_server --disable-agent --disable-scheduler --disable-controller-manager --disable-cloud-controller
grep -q "store/etcd: connected to etcd at $url" "$TMP/server.log"
ok $? "k8c server connects with caFile, certFile and keyFile"
k() { kubectl --kubeconfig "$KUBECONFIG_FILE" --cache-dir "$TMP/kcache" "$@"; }
k create configmap over-tls --from-literal=a=b >/dev/null 2>&1
is "$(k get configmap over-tls -o jsonpath='{.data.a}' 2>&1)" "b" "kubectl writes and reads through it"
stop_server

# --- without them ---------------------------------------------------------------------------
"$K8C" server --data-dir "$TMP/d2" --port 0 --datastore-endpoint "$url" \
	--disable-agent --disable-scheduler --disable-controller-manager --disable-cloud-controller \
	>"$TMP/bad.log" 2>&1
is $? 1 "without the CA and certificate the server does not start"
like "$(cat "$TMP/bad.log")" "etcd $url" "and says which etcd it could not reach"
tap_done
