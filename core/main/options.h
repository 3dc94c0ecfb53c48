#ifndef K8C_MAIN_OPTIONS_H
#define K8C_MAIN_OPTIONS_H
#endif
