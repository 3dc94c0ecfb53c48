#!/bin/sh
# `k8c server` runs, creates plugin instances with their config, and stops
# cleanly on SIGTERM and SIGINT; bad plugin config stops it with a clear error.
. "$top_srcdir/tests/lib.sh"
tap_tmpdir

fixtures="$TMP/fixtures"
mkdir -p "$fixtures"
cp "$top_builddir/tests/abi/.libs/good_sched.so" "$fixtures/"

wait_for() { # file regex seconds
	i=0
	while [ $i -lt $(($3 * 10)) ]; do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

cat > "$TMP/k8c.yaml" <<YAML
data-dir: $TMP/data
port: 0
disable-agent: true
plugin-dir: [$fixtures]
scheduler:
  profiles:
  - scheduler-name: default-scheduler
  - scheduler-name: with-abi-good
    plugins: {filter: [abi-good]}
plugins:
  scheduler:
    abi-good:
      instance: 7
YAML

for sig in TERM INT; do
	"$K8C" server --config "$TMP/k8c.yaml" >"$TMP/log.$sig" 2>&1 &
	pid=$!
	tap_at_exit "kill -9 $pid 2>/dev/null"
	wait_for "$TMP/log.$sig" "running:" 10
	ok $? "server starts (SIG$sig round)"
	like "$(cat "$TMP/log.$sig")" "scheduler/abi-good: init instance 7 in $TMP/data/plugins/scheduler-abi-good" "the plugin got its config subtree and data dir"
	like "$(cat "$TMP/log.$sig")" "profile default-scheduler: [1-9][0-9]* filter, [1-9][0-9]* score, 1 bind plugins" "the default profile has the in-tree plugins"
	kill -$sig $pid
	wait $pid
	is "$?" 0 "SIG$sig stops the server with status 0"
	like "$(cat "$TMP/log.$sig")" "scheduler/abi-good: fini instance 7" "plugin instances are finalised"
	like "$(cat "$TMP/log.$sig")" "server: stopped" "the server says it stopped"
done
ok "$(test -d "$TMP/data"; echo $?)" "the data directory was created"

# With the scheduler disabled no scheduler plugin is instantiated.
"$K8C" server --config "$TMP/k8c.yaml" --disable-scheduler >"$TMP/log.d" 2>&1 &
pid=$!
tap_at_exit "kill -9 $pid 2>/dev/null"
wait_for "$TMP/log.d" "running:" 10
kill -TERM $pid; wait $pid
unlike "$(cat "$TMP/log.d")" "init instance" "--disable-scheduler: no scheduler plugin instance"

# Config for a plugin that is not loaded: usage error.
printf 'port: 0\ndata-dir: %s\nplugins:\n  scheduler:\n    no-such-plugin: {}\n' "$TMP/data" > "$TMP/ghost.yaml"
e=$("$K8C" server --config "$TMP/ghost.yaml" 2>&1); st=$?
is "$st" 2 "configuring a plugin that is not loaded exits 2"
like "$e" "plugins.scheduler.no-such-plugin, but no such plugin is loaded" "and names it"

# A plugin whose init fails: runtime failure, other instances finalised.
printf 'port: 0\ndisable-agent: true\ndata-dir: %s\nplugin-dir: [%s]\nscheduler: {profiles: [{plugins: {filter: [abi-good]}}]}\nplugins:\n  scheduler:\n    abi-good: {fail: true}\n' "$TMP/data" "$fixtures" > "$TMP/fail.yaml"
e=$("$K8C" server --config "$TMP/fail.yaml" 2>&1); st=$?
is "$st" 1 "a plugin init failure exits 1"
like "$e" "asked to fail by its config" "with the plugin's message"

# A data dir that cannot be created.
touch "$TMP/file"
e=$("$K8C" server --data-dir "$TMP/file/sub" 2>&1); st=$?
is "$st" 1 "an impossible --data-dir exits 1"
like "$e" "cannot create" "and says why"
tap_done
