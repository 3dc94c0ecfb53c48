/* The string map: put, replace, get, remove and walk, across growth. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include "common/strmap.h"
#include "tap.h"

int main(void)
{
	k8c_strmap_t m;
	k8c_strmap_entry_t *e;
	char key[32];
	size_t i, seen = 0, sum = 0, bad = 0;

	k8c_strmap_init(&m);
	ok(k8c_strmap_get(&m, "x") == NULL, "empty map");
	ok(k8c_strmap_remove(&m, "x") == NULL, "remove from an empty map");
	for (uintptr_t n = 1; n <= 10000; n++) {
		snprintf(key, sizeof(key), "ns/pod-%lu", (unsigned long)n);
		if (k8c_strmap_put(&m, key, (void *)n) != NULL)
			bad++;
	}
	is_int(bad, 0, "10,000 new keys");
	is_int(m.count, 10000, "count");
	is_int((uintptr_t)k8c_strmap_get(&m, "ns/pod-777"), 777, "get");
	is_int((uintptr_t)k8c_strmap_put(&m, "ns/pod-777", (void *)7), 777, "put returns the value it replaced");
	is_int(m.count, 10000, "replacing does not count");
	for (uintptr_t n = 1; n <= 10000; n += 2) {
		snprintf(key, sizeof(key), "ns/pod-%lu", (unsigned long)n);
		if (k8c_strmap_remove(&m, key) == NULL)
			bad++;
	}
	is_int(bad, 0, "removed the odd ones");
	is_int(m.count, 5000, "count after removal");
	ok(k8c_strmap_get(&m, "ns/pod-1") == NULL && k8c_strmap_get(&m, "ns/pod-2") != NULL,
	   "removed keys are gone, others stay");
	for (e = k8c_strmap_first(&m, &i); e != NULL; e = k8c_strmap_next(&m, e, &i)) {
		seen++;
		sum += (uintptr_t)e->value;
	}
	is_int(seen, 5000, "a walk visits every entry once");
	is_int(sum, 5000 * 5001, "with its value");
	k8c_strmap_free(&m);
	is_int(m.count, 0, "freed");
	return done_testing();
}
