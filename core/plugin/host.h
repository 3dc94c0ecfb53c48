#ifndef K8C_PLUGIN_host_H
#define K8C_PLUGIN_host_H
#endif
