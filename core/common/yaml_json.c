/* placeholder: being written */
#include "config.h"
#include "common/yaml_json.h"
