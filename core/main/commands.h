/* The subcommands of the k8c binary. */
#ifndef K8C_MAIN_COMMANDS_H
#define K8C_MAIN_COMMANDS_H

#include "main/options.h"
#include "plugin/loader.h"

struct cJSON;

/* The table of subcommands, ending with a {NULL} entry. */
extern const k8c_command_t k8c_commands[];

int k8c_cmd_plugins(const k8c_command_t *cmd, struct cJSON *values);
int k8c_cmd_server(const k8c_command_t *cmd, struct cJSON *values);
/* `k8c apiserver`: k8c server without any other component. */
int k8c_cmd_apiserver(const k8c_command_t *cmd, struct cJSON *values);
/* `k8c agent` and `k8c kubelet`. */
int k8c_cmd_agent(const k8c_command_t *cmd, struct cJSON *values);

/* An agent (kubelet) inside another command (`k8c server`): the runtime
 * instance and the kubelet, talking to server_url. */
typedef struct k8c_agent k8c_agent_t;
int k8c_agent_start(const struct cJSON *values, const k8c_plugin_set_t *plugins,
                    const char *data_dir, const char *server_url, k8c_agent_t **out,
                    k8c_error_t *err);
void k8c_agent_stop(k8c_agent_t *a);

/* A client component as its own command (component.c): start(values,
 * plugins, data_dir, server_url, &component, err) once the plugins are
 * scanned, stop(component) at SIGTERM/SIGINT; stop_note ends the shutdown
 * log line (may be NULL). */
typedef int (*k8c_component_start_fn)(const struct cJSON *values, const k8c_plugin_set_t *plugins,
                                      const char *data_dir, const char *server_url, void **out,
                                      k8c_error_t *err);
typedef void (*k8c_component_stop_fn)(void *component);
int k8c_run_component(const k8c_command_t *cmd, struct cJSON *values, k8c_component_start_fn start,
                      k8c_component_stop_fn stop, const char *stop_note);

/* `k8c scheduler`, and the scheduler inside `k8c server`: its client
 * and the scheduler, talking to server_url. */
int k8c_cmd_scheduler(const k8c_command_t *cmd, struct cJSON *values);
typedef struct k8c_sched_component k8c_sched_component_t;
int k8c_sched_component_start(const struct cJSON *values, const k8c_plugin_set_t *plugins,
                              const char *data_dir, const char *server_url,
                              k8c_sched_component_t **out, k8c_error_t *err);
void k8c_sched_component_stop(k8c_sched_component_t *c);

/* `k8c controller-manager`, and the controller manager inside `k8c
 * server`: its client and the controller manager (core/controller/). */
int k8c_cmd_controller_manager(const k8c_command_t *cmd, struct cJSON *values);
typedef struct k8c_cm_component k8c_cm_component_t;
int k8c_cm_component_start(const struct cJSON *values, const k8c_plugin_set_t *plugins,
                           const char *data_dir, const char *server_url,
                           k8c_cm_component_t **out, k8c_error_t *err);
void k8c_cm_component_stop(k8c_cm_component_t *c);

/* `k8c datastore backup|restore FILE`. */
int k8c_cmd_datastore(const k8c_command_t *cmd, struct cJSON *values);
/* `k8c image import NAME[:TAG] FILE | ls | rm NAME...`. */
int k8c_cmd_image(const k8c_command_t *cmd, struct cJSON *values);
/* Components that are not part of this build yet: say so, exit 2. */
int k8c_cmd_not_built(const k8c_command_t *cmd, struct cJSON *values);

/* Shared by commands: apply --log-level, then scan the built-in plugin
 * directory and every --plugin-dir into set.  Returns < 0 (usage error)
 * when a --plugin-dir cannot be read. */
int k8c_common_setup(const struct cJSON *values, k8c_plugin_set_t *set,
                     k8c_error_t *err);

/* The state directory: --data-dir, else /var/lib/k8c as root, else
 * $XDG_DATA_HOME/k8c (~/.local/share/k8c).  Caller frees. */
char *k8c_data_dir(const struct cJSON *values);

#define K8C_EXIT_FAILURE 1
#define K8C_EXIT_USAGE 2

#endif
