/* UUIDs for metadata.uid. */
#include "config.h"

#include <string.h>

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
	ok(!k8c_uuid_valid("not-a-uuid"), "junk is not");
	ok(!k8c_uuid_valid(""), "empty is not");
	ok(!k8c_uuid_valid(NULL), "NULL is not");
	ok(!k8c_uuid_valid("0123456789abcdef0123456789abcdef0123"), "36 characters without dashes is not");
	return done_testing();
}
