#include "config.h"
#include "main/commands.h"
