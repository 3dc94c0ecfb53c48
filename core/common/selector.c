/* placeholder: being written */
#include "config.h"
#include "common/selector.h"
