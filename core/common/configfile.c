#include "config.h"
#include "common/configfile.h"
