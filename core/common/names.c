/* placeholder: being written */
#include "config.h"
#include "common/names.h"
