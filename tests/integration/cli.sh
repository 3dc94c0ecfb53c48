#!/bin/sh
# The k8c command line as a user meets it: help, version, errors, config.
. "$top_srcdir/tests/lib.sh"
tap_tmpdir
# the plugin ABI this tree defines, as k8c prints it ("1\.1")
abi="$(sed -n 's/^#define K8C_ABI_MAJOR //p' "$top_srcdir/include/k8c/plugin.h")\.$(sed -n 's/^#define K8C_ABI_MINOR //p' "$top_srcdir/include/k8c/plugin.h")"

out=$("$K8C" --help 2>&1); st=$?
is "$st" 0 "k8c --help exits 0"
for c in server agent apiserver scheduler controller-manager cloud-controller-manager kubelet proxy plugins version; do
	like "$out" "^  $c " "k8c --help lists $c"
	h=$("$K8C" "$c" --help 2>&1); st=$?
	is "$st" 0 "k8c $c --help exits 0"
	like "$h" "^Usage: k8c $c " "k8c $c --help shows usage"
done
like "$("$K8C" server --help)" "--disable-cloud-controller" "server help lists --disable-cloud-controller"
like "$("$K8C" server --help)" "--write-kubeconfig FILE" "server help lists --write-kubeconfig"
like "$("$K8C" agent --help)" "--server URL" "agent help lists --server"

v=$("$K8C" --version); st=$?
is "$st" 0 "k8c --version exits 0"
like "$v" "^k8c version [0-9]+\.[0-9]+\.[0-9]+" "--version prints the version"
like "$v" "plugin ABI $abi" "--version prints the plugin ABI"
is "$("$K8C" version)" "$v" "k8c version says the same"

"$K8C" >/dev/null 2>&1
is "$?" 2 "no command exits 2"
e=$("$K8C" frobnicate 2>&1); st=$?
is "$st" 2 "an unknown command exits 2"
like "$e" "unknown command \"frobnicate\"" "and says which"
e=$("$K8C" server --bogus 2>&1); st=$?
is "$st" 2 "an unknown flag exits 2"
like "$e" "unknown flag --bogus" "and says which"
e=$("$K8C" cloud-controller-manager 2>&1); st=$?
is "$st" 2 "a component not built yet exits 2"
like "$e" "not part of k8c" "and says so"

printf 'port: 6443\nlog-level: info\nnode-nam: x\n' > "$TMP/bad.yaml"
e=$("$K8C" server --config "$TMP/bad.yaml" 2>&1); st=$?
is "$st" 2 "an unknown config key exits 2"
like "$e" "$TMP/bad.yaml:3: unknown key \"node-nam\"" "with FILE:LINE"
printf 'port: high\n' > "$TMP/bad2.yaml"
e=$("$K8C" server --config "$TMP/bad2.yaml" 2>&1); st=$?
is "$st" 2 "a wrongly typed config value exits 2"
like "$e" "bad2.yaml:1: port must be an integer" "with FILE:LINE"
printf 'port: [1\n' > "$TMP/bad3.yaml"
e=$("$K8C" server --config "$TMP/bad3.yaml" 2>&1); st=$?
is "$st" 2 "invalid YAML exits 2"
like "$e" "bad3.yaml:[0-9]+: " "with FILE:LINE"
e=$("$K8C" server --config "$TMP/missing.yaml" 2>&1); st=$?
is "$st" 2 "an unreadable config file exits 2"
like "$e" "missing.yaml: cannot read config file" "and says so"
e=$("$K8C" plugins --log-level loud 2>&1); st=$?
is "$st" 2 "a bad --log-level exits 2"

# The in-tree plugins load from the build tree.
p=$("$K8C" plugins 2>&1); st=$?
is "$st" 0 "k8c plugins exits 0 with the in-tree plugins"
for name in node-resources-fit node-affinity taint-toleration node-name node-unschedulable \
	node-ports balanced-allocation default-binder inter-pod-affinity pod-topology-spread \
	default-preemption; do
	like "$p" "^scheduler +$name +[0-9.]+ +$abi +.*\.so$" "in-tree plugin $name is listed"
done
unlike "$p" "Refused" "no in-tree plugin is refused"

# Every in-tree plugin exports exactly one symbol.
for so in "$K8C_BUILTIN_PLUGIN_DIR"/*.so; do
	syms=$(nm -D --defined-only "$so" | awk '$2 != "U" && $2 != "w" {print $3}' | grep -v '^_' | sort | tr '\n' ' ')
	is "$syms" "k8c_plugin " "$(basename "$so") exports only k8c_plugin"
done
tap_done
