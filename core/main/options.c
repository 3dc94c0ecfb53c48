#include "config.h"
#include "main/options.h"
