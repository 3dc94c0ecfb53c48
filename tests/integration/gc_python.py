"""python3-kubernetes against k8c with the garbage collector and the
namespace controller: delete_namespaced_config_map and delete_namespace
with V1DeleteOptions(propagation_policy=...).  Prints one line per check,
"PASS what" or "FAIL what", for gc.sh to count."""
import sys
import time

from kubernetes import client, config
from kubernetes.client.rest import ApiException

config.load_kube_config(sys.argv[1])
core = client.CoreV1Api()


def check(cond, what):
    print(("PASS %s" if cond else "FAIL %s") % what)
    sys.stdout.flush()


def gone(read):
    try:
        read()
    except ApiException as e:
        return e.status == 404
    return False


def wait(cond, secs=30):
    end = time.time() + secs
    while time.time() < end:
        if cond():
            return True
        time.sleep(0.1)
    return False


def pair(owner, dep, block, hold=False):
    o = core.create_namespaced_config_map("default", {"metadata": {"name": owner}})
    md = {"name": dep, "ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap", "name": owner,
                                            "uid": o.metadata.uid, "blockOwnerDeletion": block}]}
    if hold:
        md["finalizers"] = ["example.com/hold"]
    core.create_namespaced_config_map("default", {"metadata": md})


cm = lambda name: (lambda: core.read_namespaced_config_map(name, "default"))

pair("py-fg", "py-fg-dep", True, hold=True)
core.delete_namespaced_config_map("py-fg", "default", body=client.V1DeleteOptions(propagation_policy="Foreground"))
o = core.read_namespaced_config_map("py-fg", "default")
check("foregroundDeletion" in (o.metadata.finalizers or []) and o.metadata.deletion_timestamp is not None,
      "Foreground: the owner is marked, with the foregroundDeletion finalizer")
check(wait(lambda: core.read_namespaced_config_map("py-fg-dep", "default").metadata.deletion_timestamp is not None),
      "Foreground: its dependent is being deleted")
core.patch_namespaced_config_map("py-fg-dep", "default", {"metadata": {"finalizers": None}})
check(wait(lambda: gone(cm("py-fg-dep")) and gone(cm("py-fg"))), "Foreground: dependent, then owner, gone")

pair("py-or", "py-or-dep", True)
core.delete_namespaced_config_map("py-or", "default", body=client.V1DeleteOptions(propagation_policy="Orphan"))
check(wait(lambda: gone(cm("py-or"))), "Orphan: the owner is deleted")
check(wait(lambda: core.read_namespaced_config_map("py-or-dep", "default").metadata.owner_references is None),
      "Orphan: the dependent stays without its owner reference")

pair("py-bg", "py-bg-dep", False)
core.delete_namespaced_config_map("py-bg", "default", body=client.V1DeleteOptions(propagation_policy="Background"))
check(wait(lambda: gone(cm("py-bg")) and gone(cm("py-bg-dep"))), "Background: owner and dependent gone")

try:
    core.delete_namespaced_config_map("py-or-dep", "default",
                                      body=client.V1DeleteOptions(propagation_policy="Sideways"))
    check(False, "an unknown propagation policy is refused")
except ApiException as e:
    check(e.status == 422, "an unknown propagation policy is refused (422)")

core.create_namespace({"metadata": {"name": "py-ns"}})
core.create_namespaced_config_map("py-ns", {"metadata": {"name": "c"}})
ns = core.delete_namespace("py-ns", body=client.V1DeleteOptions(propagation_policy="Background"))
check(core.read_namespace("py-ns").status.phase in ("Terminating",) or gone(lambda: core.read_namespace("py-ns")),
      "delete_namespace: Terminating")
check(wait(lambda: gone(lambda: core.read_namespace("py-ns"))), "delete_namespace: then gone")
