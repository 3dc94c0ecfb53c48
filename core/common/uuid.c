/* UUIDs through libuuid. */
#include "config.h"

#include <uuid/uuid.h>

#include "common/uuid.h"

void k8c_uuid_new(char out[K8C_UUID_STRLEN])
{
	uuid_t u;

	uuid_generate_random(u);
	uuid_unparse_lower(u, out);
}

int k8c_uuid_valid(const char *s)
{
	uuid_t u;

	return s != NULL && uuid_parse(s, u) == 0;
}
