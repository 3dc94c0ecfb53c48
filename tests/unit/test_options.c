/* Command-line flags: types, repeats, errors, and --config merging. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "main/options.h"
#include "tap.h"

static const k8c_command_t server = {"server", K8C_CMD_SERVER, "s", "d", NULL};
static const k8c_command_t plugins = {"plugins", K8C_CMD_PLUGINS, "p", "d", NULL};

static int parse(const k8c_command_t *cmd, cJSON **v, k8c_error_t *err, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;

	va_start(ap, err);
	while ((argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	*v = NULL;
	return k8c_options_parse(cmd, argc, argv, v, err);
}

int main(void)
{
	k8c_error_t err;
	cJSON *v;
	char path[] = "/tmp/k8c-test-options-XXXXXX";
	FILE *f;
	int fd;

	is_int(parse(&server, &v, &err, "--port", "7443", "--bind-address=0.0.0.0",
	             "--disable-agent", "--disable-scheduler=false", "--plugin-dir", "/a",
	             "--plugin-dir=/b", NULL), 0, "flags parse");
	is_int(k8c_opt_int(v, "port", 6443), 7443, "--port N");
	is_str(k8c_opt_string(v, "bind-address", NULL), "0.0.0.0", "--flag=value");
	is_int(k8c_opt_bool(v, "disable-agent"), 1, "a bare bool flag is true");
	is_int(k8c_opt_bool(v, "disable-scheduler"), 0, "--bool=false");
	is_int(cJSON_GetArraySize(k8c_opt_list(v, "plugin-dir")), 2, "a list flag repeats");
	is_str(cJSON_GetArrayItem(k8c_opt_list(v, "plugin-dir"), 1)->valuestring, "/b", "in order");
	is_int(k8c_opt_int(v, "missing", 42), 42, "defaults for unset options");
	cJSON_Delete(v);

	ok(parse(&server, &v, &err, "--nope", NULL) < 0 && strstr(err.message, "unknown flag --nope"),
	   "unknown flag: %s", err.message);
	ok(parse(&plugins, &v, &err, "--port", "1", NULL) < 0 && strstr(err.message, "unknown flag --port for k8c plugins"),
	   "a flag of another command: %s", err.message);
	ok(parse(&server, &v, &err, "--port", "http", NULL) < 0 && strstr(err.message, "--port takes an integer"),
	   "bad integer: %s", err.message);
	ok(parse(&server, &v, &err, "--port", "99999999999", NULL) < 0, "integer overflow refused");
	ok(parse(&server, &v, &err, "--disable-agent=maybe", NULL) < 0 && strstr(err.message, "true or false"),
	   "bad bool: %s", err.message);
	ok(parse(&server, &v, &err, "--data-dir", NULL) < 0 && strstr(err.message, "needs a value"),
	   "missing value: %s", err.message);
	ok(parse(&server, &v, &err, "stray", NULL) < 0 && strstr(err.message, "unexpected argument"),
	   "stray argument: %s", err.message);
	ok(parse(&server, &v, &err, "--plugins", "x", NULL) < 0, "a config-only section is no flag");

	fd = mkstemp(path);
	f = fdopen(fd, "w");
	fputs("port: 8443\nnode-name: from-file\nplugin-dir: [/c]\n", f);
	fclose(f);
	is_int(parse(&server, &v, &err, "--config", path, "--port", "9443", NULL), 0,
	       "--config merges a file");
	is_int(k8c_opt_int(v, "port", 0), 9443, "the command line wins over the file");
	is_str(k8c_opt_string(v, "node-name", NULL), "from-file", "the file fills in the rest");
	cJSON_Delete(v);
	f = fopen(path, "w");
	fputs("port: 8443\nportt: 1\n", f);
	fclose(f);
	ok(parse(&server, &v, &err, "--config", path, NULL) < 0 && strstr(err.message, ":2: unknown key \"portt\""),
	   "a bad file is a usage error with FILE:LINE: %s", err.message);
	ok(v == NULL, "and yields no values");
	unlink(path);

	{
		int out = dup(1);
		FILE *tmp = tmpfile();
		char buf[8192] = "";
		fflush(stdout);
		dup2(fileno(tmp), 1);
		int r = parse(&server, &v, &err, "--help", NULL);
		fflush(stdout);
		dup2(out, 1);
		close(out);
		rewind(tmp);
		fread(buf, 1, sizeof(buf) - 1, tmp);
		fclose(tmp);
		is_int(r, 1, "--help is reported as printed");
		ok(strstr(buf, "--datastore-endpoint URL") != NULL, "help lists server flags");
		ok(strstr(buf, "--server URL") == NULL, "help omits flags of other commands");
		ok(strstr(buf, "plugins") != NULL, "help lists config sections");
	}
	return done_testing();
}
