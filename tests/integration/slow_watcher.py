"""A watcher that stops reading must not stall writes or other watchers,
and is closed once it falls too far behind (it then resumes from its last
resourceVersion).  argv: port.  Prints TAP."""
import json
import socket
import sys
import threading
import time
import urllib.request

port = int(sys.argv[1])
base = "http://127.0.0.1:%d/api/v1/namespaces/default/configmaps" % port
n = 0
failed = 0


def ok(cond, what):
    global n, failed
    n += 1
    print(("ok %d - %s" if cond else "not ok %d - %s") % (n, what))
    sys.stdout.flush()
    failed += 0 if cond else 1


# the stalled watcher: asks for a watch, never reads
stalled = socket.create_connection(("127.0.0.1", port))
stalled.sendall(b"GET /api/v1/namespaces/default/configmaps?watch=true HTTP/1.1\r\nHost: x\r\n\r\n")

# a healthy watcher that reads everything
seen = []


def reader():
    with urllib.request.urlopen(base + "?watch=true&timeoutSeconds=60") as r:
        for line in r:
            ev = json.loads(line)
            seen.append(ev["object"]["metadata"]["name"])
            if len(seen) >= count:
                return


count = 400
t = threading.Thread(target=reader, daemon=True)
t.start()
time.sleep(0.5)
big = "x" * 100000
start = time.time()
errors = 0
for i in range(count):
    body = json.dumps({"metadata": {"name": "big-%d" % i}, "data": {"d": big}}).encode()
    req = urllib.request.Request(base, data=body, headers={"Content-Type": "application/json"}, method="POST")
    try:
        urllib.request.urlopen(req, timeout=10).read()
    except Exception:
        errors += 1
elapsed = time.time() - start
ok(errors == 0, "%d writes of 100 kB succeed while a watcher is stalled (%.1f s)" % (count, elapsed))
ok(elapsed < 60, "writes are not held up by the stalled watcher")
t.join(30)
ok(len(seen) == count, "the healthy watcher got every event (%d of %d)" % (len(seen), count))

# the stalled one was ended: draining its socket reaches the response's
# last chunk (the connection itself may stay open for keep-alive)
stalled.settimeout(20)
total = 0
closed = False
tail = b""
try:
    while True:
        b = stalled.recv(1 << 20)
        if not b:
            closed = True
            break
        total += len(b)
        tail = (tail + b)[-16:]
        if tail.endswith(b"\r\n0\r\n\r\n"):
            closed = True
            break
except socket.timeout:
    pass
ok(closed, "the watcher that fell behind was ended (after %d bytes)" % total)
ok(total < count * 100000, "before it received every event")
print("1..%d" % n)
sys.exit(1 if failed else 0)
