/* placeholder: being written */
#include "config.h"
#include "common/quantity.h"
