#include "config.h"
#include "plugin/host.h"
