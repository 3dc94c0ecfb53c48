/* Random (version 4) UUIDs for metadata.uid. */
#ifndef K8C_COMMON_UUID_H
#define K8C_COMMON_UUID_H

#define K8C_UUID_STRLEN 37 /* 36 characters and a NUL */

/* Write a new lower-case random UUID into out. */
void k8c_uuid_new(char out[K8C_UUID_STRLEN]);
/* Non-zero when s is a well-formed UUID in the 8-4-4-4-12 form. */
int k8c_uuid_valid(const char *s);

#endif
