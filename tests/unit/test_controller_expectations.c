/* The controller host's expectations (core/controller/expectations.c) and
 * how watch events settle them (ctl_instance_changed): creations and
 * deletions of K8C_MAP_OWNER objects count, K8C_MAP_OWNER_UNCOUNTED ones
 * only bring the owner's key back.  The DaemonSet controller once had its
 * ControllerRevisions counted as the pods it waited for, saw its
 * expectations met before its new pod reached the cache, and created the
 * pod twice. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/timestamp.h"
#include "common/workqueue.h"
#include "controller/internal.h"
#include "tap.h"

enum { W_DS, W_POD, W_CR };

static const k8c_controller_watch_t watches[] = {
	[W_DS] = {"apps", "v1", "daemonsets", "DaemonSet", K8C_MAP_SELF, NULL},
	[W_POD] = {"", "v1", "pods", "Pod", K8C_MAP_OWNER, "DaemonSet"},
	[W_CR] = {"apps", "v1", "controllerrevisions", "ControllerRevision",
	          K8C_MAP_OWNER_UNCOUNTED, "DaemonSet"},
};

static const k8c_controller_ops_t ops = {
	.struct_size = sizeof(k8c_controller_ops_t),
	.watches = watches,
	.n_watches = sizeof(watches) / sizeof(watches[0]),
};

/* An object named name in "default", controlled by DaemonSet "web". */
static cJSON *owned(const char *name, int deleting)
{
	char buf[512];

	snprintf(buf, sizeof(buf),
	         "{\"metadata\":{\"name\":\"%s\",\"namespace\":\"default\",%s"
	         "\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":\"DaemonSet\","
	         "\"name\":\"web\",\"uid\":\"u1\",\"controller\":true}]}}",
	         name, deleting ? "\"deletionTimestamp\":\"2026-01-01T00:00:00Z\"," : "");
	return cJSON_Parse(buf);
}

static int satisfied(ctl_instance_t *ci)
{
	return ctl_expectations_satisfied(&ci->ex, "default/web", k8c_time_monotonic_ns());
}

/* Take every queued key; 1 if "default/web" was among them. */
static int queued_web(ctl_instance_t *ci)
{
	int found = 0;
	char *key;

	while (k8c_workqueue_len(ci->queue) > 0 && k8c_workqueue_get(ci->queue, &key)) {
		found |= strcmp(key, "default/web") == 0;
		k8c_workqueue_done(ci->queue, key);
		free(key);
	}
	return found;
}

int main(void)
{
	ctl_instance_t ci = {.ops = &ops};
	cJSON *pod = owned("web-a", 0), *pod_del = owned("web-a", 1), *cr = owned("web-6f7c", 0);
	cJSON *other = owned("web-b", 0);

	ci.queue = k8c_workqueue_new();
	ctl_expectations_init(&ci.ex);

	ok(satisfied(&ci), "nothing expected: satisfied");
	ctl_expect_creations(&ci.ex, "default/web", 1);
	ok(!satisfied(&ci), "one creation expected: not satisfied");

	ctl_instance_changed(&ci, W_CR, K8C_WATCH_ADDED, cr, NULL);
	ok(queued_web(&ci), "a new ControllerRevision (uncounted) brings its owner's key back");
	ok(!satisfied(&ci), "... but does not stand for the pod expected");

	ctl_instance_changed(&ci, W_POD, K8C_WATCH_ADDED, pod, NULL);
	ok(queued_web(&ci), "the new pod brings its owner's key back");
	ok(satisfied(&ci), "and settles the creation expected");

	ctl_instance_changed(&ci, W_POD, K8C_WATCH_ADDED, other, NULL);
	ok(satisfied(&ci), "a creation nobody expected does not go below zero");
	ctl_expect_creations(&ci.ex, "default/web", 1);
	ok(!satisfied(&ci), "so the next expected creation still counts");
	ctl_creation_observed(&ci.ex, "default/web");
	ok(satisfied(&ci), "and is settled by one observation");

	ctl_expect_deletion(&ci.ex, "default/web", "default/web-a");
	ok(!satisfied(&ci), "a deletion expected: not satisfied");
	ctl_instance_changed(&ci, W_CR, K8C_WATCH_DELETED, cr, NULL);
	ok(!satisfied(&ci), "a ControllerRevision going away does not settle it");
	ctl_instance_changed(&ci, W_POD, K8C_WATCH_MODIFIED, pod_del, pod);
	ok(satisfied(&ci), "the pod getting its deletionTimestamp settles it");
	ctl_instance_changed(&ci, W_POD, K8C_WATCH_DELETED, pod_del, NULL);
	ok(satisfied(&ci), "its final deletion changes nothing more");
	ok(queued_web(&ci), "and each brings the key back");

	ctl_expect_creations(&ci.ex, "default/web", 2);
	ctl_expectations_forget(&ci.ex, "default/web");
	ok(satisfied(&ci), "forget drops what was expected (the owner is gone)");

	cJSON_Delete(pod);
	cJSON_Delete(pod_del);
	cJSON_Delete(cr);
	cJSON_Delete(other);
	ctl_expectations_destroy(&ci.ex);
	k8c_workqueue_free(ci.queue);
	return done_testing();
}
