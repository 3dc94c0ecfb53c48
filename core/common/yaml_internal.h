/* What yaml_read.c and yaml_emit.c share, private to them. */
#ifndef K8C_COMMON_YAML_INTERNAL_H
#define K8C_COMMON_YAML_INTERNAL_H

#include <stdbool.h>

/* Integers of this many digits or more are cJSON raw items: a double holds
 * at most 15 digits exactly.  The reader makes them, the emitter writes
 * numbers below K8C_YAML_RAW_MIN without an exponent. */
#define K8C_YAML_RAW_DIGITS 16
#define K8C_YAML_RAW_MIN 1000000000000000ULL /* 10^(K8C_YAML_RAW_DIGITS - 1) */

/* Does the plain scalar s (borrowed, NUL-terminated) resolve to a string
 * under the core schema, i.e. not to null, bool, int or float?  The
 * emitter quotes strings for which this is false. */
bool k8c_yaml_plain_is_string(const char *s);

#endif
