#ifndef K8C_PLUGIN_loader_H
#define K8C_PLUGIN_loader_H
#endif
