"""python3-kubernetes (Debian, 22.6) against k8c: CRUD, selectors, patches,
conflicts, watch with watch=True, errors.  Prints TAP."""
import sys
import threading
import time

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

n = 0
failed = 0


def ok(cond, what):
    global n, failed
    n += 1
    print(("ok %d - %s" if cond else "not ok %d - %s") % (n, what))
    if not cond:
        failed += 1
    sys.stdout.flush()


def raises(fn, status):
    try:
        fn()
    except ApiException as e:
        return e.status == status, e
    return False, None


config.load_kube_config(config_file=sys.argv[1])
core = client.CoreV1Api()
apps = client.AppsV1Api()

# create without apiVersion/kind in the body (the client omits them for dicts)
pod = {"metadata": {"name": "py", "labels": {"app": "py"}},
       "spec": {"containers": [{"name": "c", "image": "busybox"}]}}
created = core.create_namespaced_pod("default", pod)
ok(created.metadata.uid is not None, "create_namespaced_pod returns the pod with a uid")
ok(created.spec.restart_policy == "Always", "defaults applied (restartPolicy Always)")
ok(created.status.phase == "Pending", "status.phase Pending")

got = core.read_namespaced_pod("py", "default")
ok(got.metadata.resource_version == created.metadata.resource_version, "read returns the same resourceVersion")

pods = core.list_namespaced_pod("default", label_selector="app=py")
ok(len(pods.items) == 1 and pods.items[0].metadata.name == "py", "list with label_selector")
ok(pods.metadata.resource_version is not None, "the list has a resourceVersion")
pods = core.list_pod_for_all_namespaces(field_selector="metadata.name=py")
ok(len(pods.items) == 1, "list all namespaces with field_selector metadata.name")

# optimistic concurrency: a stale resourceVersion is a 409
stale = core.read_namespaced_pod("py", "default")
patched = core.patch_namespaced_pod("py", "default", {"metadata": {"labels": {"x": "1"}}})
ok(patched.metadata.labels.get("x") == "1", "strategic merge patch with a dict body")
ok(patched.metadata.labels.get("app") == "py", "and keeps the other labels")
stale.metadata.labels["y"] = "2"
good, e = raises(lambda: core.replace_namespaced_pod("py", "default", stale), 409)
ok(good, "replace with a stale resourceVersion is 409 Conflict")
ok(e is not None and "the object has been modified" in e.body, "with Kubernetes' message")

# paging
for i in range(7):
    core.create_namespaced_config_map("default", {"metadata": {"name": "cm-%d" % i}, "data": {"i": str(i)}})
page = core.list_namespaced_config_map("default", limit=3)
names = [c.metadata.name for c in page.items]
ok(len(names) == 3 and page.metadata._continue, "limit=3 gives 3 items and a continue token")
while page.metadata._continue:
    page = core.list_namespaced_config_map("default", limit=3, _continue=page.metadata._continue)
    names += [c.metadata.name for c in page.items]
ok(sorted(names) == ["cm-%d" % i for i in range(7)], "paging returns every config map once")

# watch=True (capital T) with a resourceVersion
rv = core.list_namespaced_config_map("default").metadata.resource_version
events = []


def watcher():
    w = watch.Watch()
    for ev in w.stream(core.list_namespaced_config_map, "default", resource_version=rv, timeout_seconds=5):
        events.append((ev["type"], ev["object"].metadata.name))
        if len(events) >= 3:
            w.stop()


t = threading.Thread(target=watcher)
t.start()
time.sleep(0.5)
core.create_namespaced_config_map("default", {"metadata": {"name": "watched"}})
core.patch_namespaced_config_map("watched", "default", {"data": {"a": "b"}})
core.delete_namespaced_config_map("watched", "default")
t.join(10)
ok(events == [("ADDED", "watched"), ("MODIFIED", "watched"), ("DELETED", "watched")],
   "watch from a resourceVersion sees ADDED, MODIFIED, DELETED in order: %r" % events)

# errors
good, e = raises(lambda: core.read_namespaced_pod("nope", "default"), 404)
ok(good and '"reason":"NotFound"' in e.body.replace(" ", ""), "read of a missing pod is 404 NotFound")
good, e = raises(lambda: core.create_namespaced_pod("default", {"metadata": {"name": "bad"}, "spec": {"containers": []}}), 422)
ok(good and "Invalid" in e.body, "a pod without containers is 422 Invalid")
good, e = raises(lambda: core.create_namespaced_pod("default", {"metadata": {"name": "Bad_Name"}, "spec": {"containers": [{"name": "c", "image": "x"}]}}), 422)
ok(good and "metadata.name" in e.body, "an invalid name is 422 with the field")

# deployments and scale
dep = {"metadata": {"name": "pyd"},
       "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "pyd"}},
                "template": {"metadata": {"labels": {"app": "pyd"}},
                             "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}
d = apps.create_namespaced_deployment("default", dep)
ok(d.spec.strategy.type == "RollingUpdate", "deployment defaults: RollingUpdate")
s = apps.patch_namespaced_deployment_scale("pyd", "default", {"spec": {"replicas": 4}})
ok(s.spec.replicas == 4, "patch the scale subresource")
ok(apps.read_namespaced_deployment("pyd", "default").spec.replicas == 4, "the deployment has 4 replicas")

core.delete_namespaced_pod("py", "default")
good, _ = raises(lambda: core.read_namespaced_pod("py", "default"), 404)
ok(good, "an unbound pod is deleted at once")

print("1..%d" % n)
sys.exit(1 if failed else 0)
