#!/usr/bin/env python3
"""Watch what a rollout does, for tests/integration/deployment.sh.

deployment_watch.py rs PORT LABEL OUT
    Watch the ReplicaSets with label selector LABEL; after every event
    write one line "SUM_SPEC SUM_AVAILABLE" (over the latest state of each
    set) to OUT, then the event (A/M/D and the set's name suffix) and each
    set's "suffix:spec/available".
deployment_watch.py pods PORT LABEL OUT
    Watch the pods with LABEL; after every event write the number of
    distinct pod-template-hash values among the pods that exist (a pod
    being deleted still counts until it is gone).

Runs until killed; lines are flushed as they are written.
"""
import json
import sys
import urllib.parse
import urllib.request


def main():
    mode, port, label, out = sys.argv[1:5]
    path = "/apis/apps/v1/namespaces/default/replicasets" if mode == "rs" \
        else "/api/v1/namespaces/default/pods"
    url = "http://127.0.0.1:%s%s?watch=1&labelSelector=%s" % (
        port, path, urllib.parse.quote(label))
    state = {}
    with open(out, "w") as f, urllib.request.urlopen(url) as resp:
        print("watching", file=f, flush=True)
        for line in resp:
            ev = json.loads(line)
            obj = ev["object"]
            name = obj["metadata"]["name"]
            if ev["type"] == "DELETED":
                state.pop(name, None)
            else:
                state[name] = obj
            if mode == "rs":
                spec = sum(o["spec"].get("replicas", 0) for o in state.values())
                avail = sum(o.get("status", {}).get("availableReplicas", 0)
                            for o in state.values())
                each = " ".join("%s:%s/%s" % (n[-5:], o["spec"].get("replicas", 0),
                                              o.get("status", {}).get("availableReplicas", 0))
                                for n, o in sorted(state.items()))
                print(spec, avail, ev["type"][0], name[-5:], each, file=f, flush=True)
            else:
                hashes = {o["metadata"].get("labels", {}).get("pod-template-hash")
                          for o in state.values()}
                print(len(hashes), file=f, flush=True)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
