#!/usr/bin/python3
"""Kubelet benchmarks (doc/benchmarks.md), run on purpose, not by make check.

  hollow  N hollow nodes in one `k8c agent --runtime sim` process:
          registration time, steady-state CPU and RSS per node.
  startup pod startup latency with the process runtime: create -> Running
          as seen by a watch, p50/p99 over PODS pods (needs root and the
          busybox image, built here from Debian's busybox-static).

Usage: tests/bench/bench_kubelet.py [hollow|startup|all] [--nodes N] [--pods N]
Run from the build tree (uses ./k8c and plugins/.libs).
"""
import argparse, json, os, shutil, signal, socket, subprocess, sys, tempfile, threading, time
import urllib.request

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
K8C = os.path.join(os.getcwd(), "k8c")
ENV = dict(os.environ, K8C_BUILTIN_PLUGIN_DIR=os.path.join(os.getcwd(), "plugins/.libs"))


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p


def req(port, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    r = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method,
                               headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(r) as f:
        return json.loads(f.read() or b"{}")


def wait_log(path, text, timeout=600):
    t0 = time.time()
    while time.time() - t0 < timeout:
        if os.path.exists(path) and text in open(path).read():
            return True
        time.sleep(0.05)
    return False


def proc_cpu(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


def proc_rss_kb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def start_server(tmp):
    os.makedirs(tmp, exist_ok=True)
    port = free_port()
    log = os.path.join(tmp, "server.log")
    p = subprocess.Popen([K8C, "apiserver", "--data-dir", os.path.join(tmp, "s"), "--port", str(port)],
                         stdout=open(log, "w"), stderr=subprocess.STDOUT, env=ENV)
    if not wait_log(log, "running:", 30):
        sys.exit("server did not start:\n" + open(log).read())
    return p, port


def stop(p):
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(60)
    except subprocess.TimeoutExpired:
        p.kill()


def bench_hollow(tmp, n):
    srv, port = start_server(tmp)
    log = os.path.join(tmp, "agent.log")
    t0 = time.time()
    a = subprocess.Popen([K8C, "agent", "--server", f"http://127.0.0.1:{port}", "--runtime", "sim",
                          "--sim-nodes", str(n), "--node-name", "hollow", "--kubelet-port", "0",
                          "--data-dir", os.path.join(tmp, "a")],
                         stdout=open(log, "w"), stderr=subprocess.STDOUT, env=ENV)
    if not wait_log(log, "kubelet running", 1200):
        sys.exit("agent did not start:\n" + open(log).read()[-3000:])
    reg = time.time() - t0
    # every Lease created
    while len(req(port, "GET", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases")["items"]) < n:
        time.sleep(0.5)
    leases = time.time() - t0
    time.sleep(15)  # settle: first renewals spread over the period
    c0, w0 = proc_cpu(a.pid), time.time()
    time.sleep(60)
    cpu = (proc_cpu(a.pid) - c0) / (time.time() - w0)
    rss = proc_rss_kb(a.pid)
    base = 0
    nodes = len(req(port, "GET", "/api/v1/nodes")["items"])
    stop(a)
    stop(srv)
    print(f"hollow nodes: {n} (registered {nodes})")
    print(f"  registration: {reg:.2f} s (all Leases after {leases:.2f} s)")
    print(f"  steady state: agent CPU {cpu * 100:.1f}% of one core, RSS {rss / 1024:.1f} MiB"
          f" = {rss * 1024 / n / 1000:.1f} KB per node")


def bench_startup(tmp, pods):
    if os.geteuid() != 0:
        sys.exit("startup needs root (the process runtime)")
    os.makedirs(tmp, exist_ok=True)
    data = os.path.join(tmp, "a")
    tar = os.path.join(tmp, "busybox.tar")
    subprocess.run(["sh", os.path.join(TOP, "contrib/images/busybox.sh"), tar], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([K8C, "image", "import", "busybox", tar, "--data-dir", data], check=True,
                   stdout=subprocess.DEVNULL, env=ENV)
    srv, port = start_server(tmp)
    log = os.path.join(tmp, "agent.log")
    a = subprocess.Popen([K8C, "agent", "--server", f"http://127.0.0.1:{port}", "--node-name", "n1",
                          "--kubelet-port", "0", "--data-dir", data],
                         stdout=open(log, "w"), stderr=subprocess.STDOUT, env=ENV)
    if not wait_log(log, "kubelet running", 60):
        sys.exit("agent did not start:\n" + open(log).read())
    created, running = {}, {}
    done = threading.Event()

    def watch():
        r = urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/namespaces/default/pods?watch=1")
        for line in r:
            ev = json.loads(line)
            o = ev["object"]
            name = o["metadata"]["name"]
            if o.get("status", {}).get("phase") == "Running" and name not in running:
                running[name] = time.time()
                if len(running) == pods:
                    done.set()
                    return
    th = threading.Thread(target=watch, daemon=True)
    th.start()
    time.sleep(0.5)
    for i in range(pods):
        name = f"b{i}"
        created[name] = time.time()
        req(port, "POST", "/api/v1/namespaces/default/pods",
            {"metadata": {"name": name}, "spec": {"nodeName": "n1", "terminationGracePeriodSeconds": 1,
             "containers": [{"name": "c", "image": "busybox", "command": ["sleep", "3600"]}]}})
        time.sleep(0.05)  # 20 pods/s, as the SLO's load
    done.wait(300)
    lat = sorted((running[k] - created[k]) * 1000 for k in running)
    for i in range(pods):
        req(port, "DELETE", f"/api/v1/namespaces/default/pods/b{i}")
    t0 = time.time()
    while req(port, "GET", "/api/v1/namespaces/default/pods")["items"] and time.time() - t0 < 120:
        time.sleep(0.5)
    stop(a)
    stop(srv)
    if not lat:
        sys.exit("no pod reached Running")
    print(f"pod startup (process runtime, {len(lat)}/{pods} pods Running): "
          f"p50 {lat[len(lat) // 2]:.0f} ms, p99 {lat[min(len(lat) - 1, int(len(lat) * 0.99))]:.0f} ms,"
          f" max {lat[-1]:.0f} ms")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", nargs="?", default="all", choices=["hollow", "startup", "all"])
    ap.add_argument("--nodes", type=int, default=5000)
    ap.add_argument("--pods", type=int, default=100)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="k8c-bench-kubelet.")
    try:
        if args.what in ("startup", "all"):
            bench_startup(os.path.join(tmp, "startup"), args.pods)
        if args.what in ("hollow", "all"):
            bench_hollow(os.path.join(tmp, "hollow"), args.nodes)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
