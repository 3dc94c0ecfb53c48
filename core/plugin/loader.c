#include "config.h"
#include "plugin/loader.h"
