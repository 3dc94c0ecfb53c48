#!/bin/sh
# `make install` lays out the binary, plugins (no .la), SDK, .pc and man
# page; the contrib example plugin builds against the installed SDK with
# nothing but cc and pkg-config, and the installed k8c loads it.
. "$top_srcdir/tests/lib.sh"
tap_tmpdir
# the plugin ABI this tree defines, as k8c prints it ("1\.1")
abi="$(sed -n 's/^#define K8C_ABI_MAJOR //p' "$top_srcdir/include/k8c/plugin.h")\.$(sed -n 's/^#define K8C_ABI_MINOR //p' "$top_srcdir/include/k8c/plugin.h")"

dest="$TMP/dest"
$MAKE -s -C "$top_builddir" install DESTDIR="$dest" >"$TMP/install.log" 2>&1
ok $? "make install DESTDIR=... succeeds"
sed 's/^/# /' "$TMP/install.log" | tail -n 20

ok "$(test -x "$dest$k8c_bindir/k8c"; echo $?)" "k8c installed in bindir"
ok "$(ls "$dest$k8c_pluginsdir"/*.so >/dev/null 2>&1; echo $?)" "plugins installed as *.so in $k8c_pluginsdir"
is "$(ls "$dest$k8c_pluginsdir" | grep -v '\.so$' | tr '\n' ' ')" "" "nothing but *.so in the plugin directory (no .la)"
for h in plugin.h error.h client.h store.h controller.h scheduler.h runtime.h cloud.h; do
	ok "$(test -f "$dest$k8c_includedir/k8c/$h"; echo $?)" "SDK header k8c/$h installed"
done
ok "$(test -f "$dest$k8c_libdir/pkgconfig/k8c-plugin.pc"; echo $?)" "k8c-plugin.pc installed"
ok "$(test -f "$dest$k8c_mandir/man1/k8c.1"; echo $?)" "man page k8c(1) installed"

# The installed k8c finds its installed plugins by itself.
out=$(K8C_BUILTIN_PLUGIN_DIR="$dest$k8c_pluginsdir" "$dest$k8c_bindir/k8c" plugins 2>&1)
like "$out" "scheduler +node-affinity" "installed k8c loads the installed plugins"

# Build the example out of tree, against the installed SDK only.
export PKG_CONFIG_PATH="$dest$k8c_libdir/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$dest"
cp "$top_srcdir/contrib/example-plugin/prefer_label.c" "$TMP/"
cd "$TMP" || exit 1
flags=$(pkg-config --cflags --libs k8c-plugin)
ok $? "pkg-config knows k8c-plugin"
like "$flags" "-I$dest" "its include path points into the installed tree"
mkdir -p "$TMP/ex"
cc -shared -fPIC -Wall -Wextra -Werror -o "$TMP/ex/prefer-label.so" prefer_label.c $flags 2>"$TMP/cc.log"
ok $? "the example builds with cc -shared -fPIC \$(pkg-config --cflags --libs k8c-plugin), warning-free"
sed 's/^/# /' "$TMP/cc.log"
out=$(K8C_BUILTIN_PLUGIN_DIR="$dest$k8c_pluginsdir" "$dest$k8c_bindir/k8c" plugins --plugin-dir "$TMP/ex" 2>&1); st=$?
is "$st" 0 "installed k8c accepts the example plugin"
like "$out" "scheduler +prefer-label +1\.0\.0 +$abi +$TMP/ex/prefer-label.so" "and lists it"

# It runs in a server with its config.
cat > "$TMP/k8c.yaml" <<YAML
data-dir: $TMP/data
port: 0
disable-agent: true
plugin-dir: [$TMP/ex]
scheduler:
  profiles:
  - plugins: {filter: [prefer-label], score: [{name: prefer-label, weight: 1}], bind: [default-binder]}
plugins:
  scheduler:
    prefer-label: {label: disktype=ssd}
YAML
K8C_BUILTIN_PLUGIN_DIR="$dest$k8c_pluginsdir" "$dest$k8c_bindir/k8c" server --config "$TMP/k8c.yaml" >"$TMP/server.log" 2>&1 &
pid=$!
tap_at_exit "kill -9 $pid 2>/dev/null"
i=0; while [ $i -lt 100 ] && ! grep -q "running:" "$TMP/server.log"; do sleep 0.1; i=$((i+1)); done
like "$(cat "$TMP/server.log")" "scheduler/prefer-label: preferring nodes labelled disktype=ssd" "the example plugin runs with its config"
kill -TERM $pid; wait $pid
is "$?" 0 "and the server stops cleanly"
printf 'port: 0\ndisable-agent: true\ndata-dir: %s\nplugin-dir: [%s]\nscheduler: {profiles: [{plugins: {score: [prefer-label]}}]}\nplugins:\n  scheduler:\n    prefer-label: {label: 5}\n' "$TMP/data" "$TMP/ex" > "$TMP/bad.yaml"
e=$(K8C_BUILTIN_PLUGIN_DIR="$dest$k8c_pluginsdir" "$dest$k8c_bindir/k8c" server --config "$TMP/bad.yaml" 2>&1)
like "$e" "label must be a non-empty string" "bad plugin config is reported by the plugin"
tap_done
