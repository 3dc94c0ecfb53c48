/* UUIDs for metadata.uid. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/uuid.h"
#include "tap.h"

int main(void)
{
	char a[K8C_UUID_STRLEN], b[K8C_UUID_STRLEN];
	int lower = 1;

	k8c_uuid_new(a);
	k8c_uuid_new(b);
	is_int(strlen(a), 36, "36 characters");
	ok(a[8] == '-' && a[13] == '-' && a[18] == '-' && a[23] == '-', "8-4-4-4-12 form: %s", a);
	ok(a[14] == '4', "version 4");
	ok(strchr("89ab", a[19]) != NULL, "RFC 4122 variant");
	for (const char *p = a; *p; p++)
		lower &= !(*p >= 'A' && *p <= 'Z');
	ok(lower, "lower case");
	ok(strcmp(a, b) != 0, "two UUIDs differ");
	ok(k8c_uuid_valid(a), "a new UUID is valid");
	{
		/* across several refills of the per-thread pool: all distinct,
		 * all version 4 */
		enum { N = 1000 };
		char (*many)[K8C_UUID_STRLEN] = calloc(N, K8C_UUID_STRLEN);
		int distinct = 1, v4 = 1;
		for (int i = 0; i < N; i++) {
			k8c_uuid_new(many[i]);
			v4 &= many[i][14] == '4' && strchr("89ab", many[i][19]) != NULL;
		}
		qsort(many, N, K8C_UUID_STRLEN, (int (*)(const void *, const void *))strcmp);
		for (int i = 1; i < N; i++)
			distinct &= strcmp(many[i - 1], many[i]) != 0;
		ok(distinct, "%d UUIDs are distinct", N);
		ok(v4, "all of them version 4, RFC 4122 variant");
		free(many);
	}
	{
		/* a forked child draws fresh bytes, not its parent's next ones */
		int fds[2], status;
		char parent_next[K8C_UUID_STRLEN], child_next[K8C_UUID_STRLEN] = "";
		pid_t pid;
		k8c_uuid_new(a); /* the pool now holds unused bytes */
		if (pipe(fds) != 0)
			return 1;
		pid = fork();
		if (pid == 0) {
			k8c_uuid_new(child_next);
			_exit(write(fds[1], child_next, sizeof(child_next)) == sizeof(child_next) ? 0 : 1);
		}
		k8c_uuid_new(parent_next);
		ok(read(fds[0], child_next, sizeof(child_next)) == sizeof(child_next), "child wrote its UUID");
		waitpid(pid, &status, 0);
		ok(strcmp(parent_next, child_next) != 0, "parent and forked child draw different UUIDs");
		close(fds[0]);
		close(fds[1]);
	}
	ok(!k8c_uuid_valid("not-a-uuid"), "junk is not");
	ok(!k8c_uuid_valid(""), "empty is not");
	ok(!k8c_uuid_valid(NULL), "NULL is not");
	ok(!k8c_uuid_valid("0123456789abcdef0123456789abcdef0123"), "36 characters without dashes is not");
	return done_testing();
}
