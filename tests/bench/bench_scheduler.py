#!/usr/bin/python3
"""Scheduler benchmark (doc/benchmarks.md), run on purpose, not by make check.

End to end through the API server: `k8c apiserver`, NODES hollow nodes in
one `k8c agent --runtime sim` process, PODS pods with the default profile
(each pod requests 100m cpu and 128Mi, like scheduler_perf's default pod).

  backlog  the pods are created first, then `k8c scheduler` starts:
           pods/s from the scheduler's start to the last pod bound
  stream   `k8c scheduler` runs while the pods are created as fast as the
           client can: pods/s from the first create to the last bound

With --bare the nodes are Node objects with a Ready status and no kubelet,
as kube-scheduler's scheduler_perf makes them (so pods are bound, not run).

Both watch the pods and count each pod once it has a node.

Usage: tests/bench/bench_scheduler.py [backlog|stream|all] [--nodes N] [--pods N[,N...]] [--bare]
Run from the build tree (uses ./k8c and plugins/.libs).
"""
import argparse, http.client, json, os, shutil, signal, socket, subprocess, sys, tempfile, threading, time

K8C = os.path.join(os.getcwd(), "k8c")
ENV = dict(os.environ, K8C_BUILTIN_PLUGIN_DIR=os.path.join(os.getcwd(), "plugins/.libs"))
CLIENTS = 8


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p


def wait_log(path, text, timeout=600):
    t0 = time.time()
    while time.time() - t0 < timeout:
        if os.path.exists(path) and text in open(path).read():
            return True
        time.sleep(0.05)
    return False


def get(port, path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    c.request("GET", path)
    r = c.getresponse()
    return json.loads(r.read())


def stop(p):
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(120)
    except subprocess.TimeoutExpired:
        p.kill()


def pod(i):
    return json.dumps({"apiVersion": "v1", "kind": "Pod",
                       "metadata": {"name": f"p{i}", "namespace": "default", "labels": {"app": "bench"}},
                       "spec": {"containers": [{"name": "c", "image": "busybox",
                                                "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}}]}})


def create_pods(port, n):
    """n pods from CLIENTS threads on keep-alive connections; returns the seconds it took."""
    def worker(k):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        for i in range(k, n, CLIENTS):
            c.request("POST", "/api/v1/namespaces/default/pods", body=pod(i),
                      headers={"Content-Type": "application/json"})
            r = c.getresponse(); r.read()
            if r.status != 201:
                sys.exit(f"create p{i}: {r.status}")
    t0 = time.time()
    th = [threading.Thread(target=worker, args=(k,)) for k in range(CLIENTS)]
    for t in th: t.start()
    for t in th: t.join()
    return time.time() - t0


class BoundWatch:
    """Counts pods that got a node, from a watch started at rv."""
    def __init__(self, port, rv, want):
        self.bound, self.want, self.last = set(), want, None
        self.done = threading.Event()
        self.c = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)
        self.c.request("GET", f"/api/v1/namespaces/default/pods?watch=1&resourceVersion={rv}&allowWatchBookmarks=false")
        self.r = self.c.getresponse()
        threading.Thread(target=self.run, daemon=True).start()

    def run(self):
        buf = b""
        while not self.done.is_set():
            chunk = self.r.read1(1 << 16)
            if not chunk:
                return
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                if b'"nodeName"' not in line:
                    continue
                o = json.loads(line)["object"]
                if o["spec"].get("nodeName") and o["metadata"]["name"] not in self.bound:
                    self.bound.add(o["metadata"]["name"])
                    if len(self.bound) == self.want:
                        self.last = time.time()
                        self.done.set()


def bare_nodes(port, n):
    """n Node objects with a Ready status and no kubelet, as scheduler_perf makes them."""
    status = json.dumps({"status": {"allocatable": {"cpu": "8", "memory": "32Gi", "pods": "110"},
                                    "capacity": {"cpu": "8", "memory": "32Gi", "pods": "110"},
                                    "conditions": [{"type": "Ready", "status": "True"}]}})
    def worker(k):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        for i in range(k, n, CLIENTS):
            body = json.dumps({"apiVersion": "v1", "kind": "Node", "metadata": {"name": f"bare-{i}",
                               "labels": {"kubernetes.io/hostname": f"bare-{i}",
                                          "topology.kubernetes.io/zone": f"z{i // 100}"}}})
            c.request("POST", "/api/v1/nodes", body=body, headers={"Content-Type": "application/json"})
            r = c.getresponse(); r.read()
            c.request("PATCH", f"/api/v1/nodes/bare-{i}/status", body=status,
                      headers={"Content-Type": "application/merge-patch+json"})
            r = c.getresponse(); r.read()
    th = [threading.Thread(target=worker, args=(k,)) for k in range(CLIENTS)]
    for t in th: t.start()
    for t in th: t.join()


def setup(tmp, nodes, bare=False):
    os.makedirs(tmp, exist_ok=True)
    port = free_port()
    log = os.path.join(tmp, "server.log")
    srv = subprocess.Popen([K8C, "apiserver", "--data-dir", os.path.join(tmp, "s"), "--port", str(port),
                            ],
                           stdout=open(log, "w"), stderr=subprocess.STDOUT, env=ENV)
    if not wait_log(log, "running:", 60):
        sys.exit("server did not start:\n" + open(log).read())
    if bare:
        bare_nodes(port, nodes)
        return srv, None, port
    alog = os.path.join(tmp, "agent.log")
    agent = subprocess.Popen([K8C, "agent", "--server", f"http://127.0.0.1:{port}", "--runtime", "sim",
                              "--sim-nodes", str(nodes), "--node-name", "hollow", "--kubelet-port", "0",
                              "--sim-pods", "110", "--data-dir", os.path.join(tmp, "a")],
                             stdout=open(alog, "w"), stderr=subprocess.STDOUT, env=ENV)
    if not wait_log(alog, "kubelet running", 1200):
        sys.exit("agent did not start:\n" + open(alog).read()[-3000:])
    return srv, agent, port


def start_scheduler(tmp, port):
    log = os.path.join(tmp, "scheduler.log")
    p = subprocess.Popen([K8C, "scheduler", "--server", f"http://127.0.0.1:{port}",
                          "--data-dir", os.path.join(tmp, "sch")],
                         stdout=open(log, "a"), stderr=subprocess.STDOUT, env=ENV)
    if not wait_log(log, "scheduler running", 600):
        sys.exit("scheduler did not start:\n" + open(log).read()[-3000:])
    return p


def run(mode, tmp, nodes, pods, bare=False):
    srv, agent, port = setup(tmp, nodes, bare)
    try:
        rv = get(port, "/api/v1/namespaces/default/pods?limit=1")["metadata"]["resourceVersion"]
        w = BoundWatch(port, rv, pods)
        if mode == "backlog":
            took = create_pods(port, pods)
            t0 = time.time()
            sch = start_scheduler(tmp, port)
            start = time.time()
        else:
            sch = start_scheduler(tmp, port)
            t0 = start = time.time()
            took = create_pods(port, pods)
        if not w.done.wait(1800):
            sys.exit(f"only {len(w.bound)} of {pods} pods bound")
        elapsed = w.last - start
        print(f"{mode}: {nodes} {'bare Node objects' if bare else 'hollow nodes'}, {pods} pods: created in {took:.2f} s ({pods / took:.0f}/s); "
              f"all bound {elapsed:.2f} s after {'the scheduler was up' if mode == 'backlog' else 'the first create'}"
              f" = {pods / elapsed:.0f} pods/s"
              + (f" (scheduler start incl. sync {start - t0:.2f} s)" if mode == "backlog" else ""))
        stop(sch)
    finally:
        if agent is not None:
            stop(agent)
        stop(srv)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", nargs="?", default="all", choices=["backlog", "stream", "all"])
    ap.add_argument("--nodes", type=int, default=5000)
    ap.add_argument("--pods", default="10000,50000")
    ap.add_argument("--bare", action="store_true",
                    help="Node objects without kubelets (as kube's scheduler_perf), instead of hollow nodes")
    a = ap.parse_args()
    for n in [int(x) for x in a.pods.split(",")]:
        for mode in (["backlog", "stream"] if a.mode == "all" else [a.mode]):
            tmp = tempfile.mkdtemp(prefix="k8c-bench-sched-")
            try:
                run(mode, tmp, a.nodes, n, a.bare)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
