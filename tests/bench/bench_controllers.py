#!/usr/bin/python3
"""Controller benchmark (doc/benchmarks.md), run on purpose, not by make check.

End to end: `k8c server` (API server, scheduler and controller manager in
one process, no agent) and NODES hollow nodes in one `k8c agent --runtime
sim` process.  Then SETS Deployments (or ReplicaSets with --kind
replicaset) of REPLICAS each are created at once, and the clock runs from
the first create until every set reports all replicas available (the
hollow kubelets run the pods and report them Running and Ready; with
minReadySeconds 0 available is ready), which is what `kubectl rollout
status` waits for.  The peak RSS of the control plane is the server
process's VmHWM; the hollow nodes' agent is reported apart.

  deployment   one Deployment of 10,000 replicas on 1,000 nodes (issue 7)
  max          the Kubernetes maximum cluster: 5,000 nodes, 150,000 pods

Usage: tests/bench/bench_controllers.py [deployment|max] [--nodes N] [--sets N]
       [--replicas N] [--kind deployment|replicaset] [--deadline SECONDS]
Run from the build tree (uses ./k8c and plugins/.libs).
"""
import argparse, http.client, json, os, shutil, signal, socket, subprocess, sys, tempfile, time

K8C = os.path.join(os.getcwd(), "k8c")
ENV = dict(os.environ, K8C_BUILTIN_PLUGIN_DIR=os.path.join(os.getcwd(), "plugins/.libs"))


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p


def wait_log(path, text, timeout=600):
    t0 = time.time()
    while time.time() - t0 < timeout:
        if os.path.exists(path) and text in open(path).read():
            return True
        time.sleep(0.05)
    return False


def call(port, method, path, body=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    c.request(method, path, body=json.dumps(body) if body is not None else None,
              headers={"Content-Type": "application/json"})
    r = c.getresponse()
    data = r.read()
    if r.status >= 300:
        sys.exit(f"{method} {path}: {r.status} {data[:300]!r}")
    return json.loads(data)


def stop(p):
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(300)
    except subprocess.TimeoutExpired:
        p.kill()


def peak_rss_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0


def rss_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0


def workload(kind, i, replicas):
    name = f"bench-{i}"
    tmpl = {"metadata": {"labels": {"app": name}},
            "spec": {"containers": [{"name": "c", "image": "busybox",
                                     "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]}}
    return {"apiVersion": "apps/v1", "kind": "Deployment" if kind == "deployment" else "ReplicaSet",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}}, "template": tmpl}}


def run(tmp, nodes, sets, replicas, kind, deadline):
    port = free_port()
    log = os.path.join(tmp, "server.log")
    srv = subprocess.Popen([K8C, "server", "--data-dir", os.path.join(tmp, "s"), "--port", str(port),
                            "--disable-agent"],
                           stdout=open(log, "w"), stderr=subprocess.STDOUT, env=ENV)
    agent = None
    try:
        if not wait_log(log, "running:", 60):
            sys.exit("server did not start:\n" + open(log).read())
        alog = os.path.join(tmp, "agent.log")
        pods_per_node = max(110, (sets * replicas) // nodes + 20)
        agent = subprocess.Popen([K8C, "agent", "--server", f"http://127.0.0.1:{port}", "--runtime", "sim",
                                  "--sim-nodes", str(nodes), "--node-name", "hollow", "--kubelet-port", "0",
                                  "--sim-pods", str(pods_per_node), "--data-dir", os.path.join(tmp, "a")],
                                 stdout=open(alog, "w"), stderr=subprocess.STDOUT, env=ENV)
        if not wait_log(alog, "kubelet running", 1200):
            sys.exit("agent did not start:\n" + open(alog).read()[-3000:])
        time.sleep(2)
        idle = rss_mb(srv.pid)
        res = "deployments" if kind == "deployment" else "replicasets"
        t0 = time.time()
        for i in range(sets):
            call(port, "POST", f"/apis/apps/v1/namespaces/default/{res}", workload(kind, i, replicas))
        want, last, avail = sets * replicas, -1, 0
        while True:
            items = call(port, "GET", f"/apis/apps/v1/namespaces/default/{res}")["items"]
            avail = sum(x.get("status", {}).get("availableReplicas", 0) for x in items)
            if avail >= want:
                break
            now = time.time() - t0
            if int(now) // 10 != last:
                last = int(now) // 10
                print(f"  {now:6.1f} s: {avail} of {want} available, server RSS {rss_mb(srv.pid):.0f} MB",
                      flush=True)
            if now > deadline:
                print(f"{sets} {kind}s x {replicas} replicas = {want} pods on {nodes} hollow nodes: "
                      f"{avail} available after {now:.0f} s (the deadline); control plane (k8c server) RSS "
                      f"idle {idle:.0f} MB, peak {peak_rss_mb(srv.pid):.0f} MB; "
                      f"hollow-node agent peak {peak_rss_mb(agent.pid):.0f} MB")
                return
            time.sleep(0.5)
        took = time.time() - t0
        print(f"{sets} {kind}s x {replicas} replicas = {want} pods on {nodes} hollow nodes: all available in "
              f"{took:.1f} s ({want / took:.0f} pods/s); control plane (k8c server) RSS idle {idle:.0f} MB, "
              f"peak {peak_rss_mb(srv.pid):.0f} MB; hollow-node agent peak {peak_rss_mb(agent.pid):.0f} MB")
    finally:
        if agent is not None:
            stop(agent)
        stop(srv)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", nargs="?", default="deployment", choices=["deployment", "max"])
    ap.add_argument("--nodes", type=int)
    ap.add_argument("--sets", type=int)
    ap.add_argument("--replicas", type=int)
    ap.add_argument("--kind", default="deployment", choices=["deployment", "replicaset"])
    ap.add_argument("--deadline", type=int, default=3600,
                    help="stop after this many seconds and report how far it got")
    a = ap.parse_args()
    nodes, sets, replicas = (1000, 1, 10000) if a.mode == "deployment" else (5000, 30, 5000)
    nodes, sets, replicas = a.nodes or nodes, a.sets or sets, a.replicas or replicas
    tmp = tempfile.mkdtemp(prefix="k8c-bench-ctl-")
    try:
        run(tmp, nodes, sets, replicas, a.kind, a.deadline)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
