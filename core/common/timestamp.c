/* placeholder: being written */
#include "config.h"
#include "common/timestamp.h"
