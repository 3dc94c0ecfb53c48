/* The local image store (see image_store.h): references, the index, and
 * unpacking root filesystem tarballs with libarchive (which knows tar's
 * dialects, compression, hard links, permissions and timestamps, and
 * refuses entries that would escape the target directory). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <cjson/cJSON.h>

#include "common/dirs.h"
#include "common/mem.h"
#include "common/timestamp.h"
#include "image/image_ref.h"
#include "image/image_store.h"

/* --- the index ---------------------------------------------------------------- */

static char *images_dir(const char *data_dir)
{
	return k8c_xasprintf("%s/images", data_dir);
}

/* Every entry has a name and an id of 32 hex digits (the id names a
 * directory the store may delete: nothing else may pass). */
static int entries_valid(const cJSON *images)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, images) {
		const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "id"));
		if (cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "name")) == NULL ||
		    id == NULL || strlen(id) != 32 || strspn(id, "0123456789abcdef") != 32)
			return 0;
	}
	return 1;
}

/* The index's array of images (new), empty when there is no index. */
static int read_index(const char *dir, cJSON **out, k8c_error_t *err)
{
	_cleanup_free_ char *path = k8c_xasprintf("%s/index.json", dir);
	char *text = NULL;
	size_t len;
	int ret = k8c_read_file(path, (size_t)64 << 20, &text, &len);
	cJSON *doc, *images;

	if (ret == -ENOENT) {
		*out = cJSON_CreateArray();
		return 0;
	}
	if (ret < 0)
		return k8c_error_make(err, K8C_EIO, "cannot read %s: %s", path, strerror(-ret));
	doc = cJSON_Parse(text);
	free(text);
	images = cJSON_DetachItemFromObjectCaseSensitive(doc, "images");
	cJSON_Delete(doc);
	if (!cJSON_IsArray(images) || !entries_valid(images)) {
		cJSON_Delete(images);
		return k8c_error_make(err, K8C_EIO,
		                      "%s is damaged (not {\"images\": [{\"name\", \"id\", ...}]}): move it away and import the images again",
		                      path);
	}
	*out = images;
	return 0;
}

static int write_index(const char *dir, cJSON *images, k8c_error_t *err)
{
	_cleanup_free_ char *path = k8c_xasprintf("%s/index.json", dir);
	cJSON *doc = cJSON_CreateObject();
	char *text;
	int ret;

	cJSON_AddItemReferenceToObject(doc, "images", images);
	text = cJSON_Print(doc);
	cJSON_Delete(doc);
	ret = k8c_write_file_atomic(path, text, strlen(text), 0644, err);
	free(text);
	return ret;
}

static cJSON *find(cJSON *images, const char *name)
{
	cJSON *e;

	cJSON_ArrayForEach(e, images) {
		const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "name"));
		if (n != NULL && strcmp(n, name) == 0)
			return e;
	}
	return NULL;
}

static int id_used(cJSON *images, const char *id)
{
	cJSON *e;

	cJSON_ArrayForEach(e, images) {
		const char *i = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "id"));
		if (i != NULL && strcmp(i, id) == 0)
			return 1;
	}
	return 0;
}

/* Writers hold an exclusive flock of DIR/.lock; returns the fd. */
static int lock_store(const char *dir, k8c_error_t *err)
{
	_cleanup_free_ char *path = k8c_xasprintf("%s/.lock", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		return k8c_error_make(err, K8C_EIO, "cannot open %s: %s", path, strerror(errno));
	while (flock(fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			int e = errno;
			close(fd);
			return k8c_error_make(err, K8C_EIO, "cannot lock %s: %s", path, strerror(e));
		}
	}
	return fd;
}

/* Leftovers of crashed imports and removals: image directories no name
 * uses and half-unpacked ones, older than SWEEP_AGE_S (younger ones may
 * belong to an import under way in another process).  Lock held. */
#define SWEEP_AGE_S 3600

static void sweep(const char *dir, cJSON *images)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	time_t now = time(NULL);

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		_cleanup_free_ char *path = NULL, *id = NULL;
		struct stat st;
		k8c_error_t ignored;

		if (n < 32 || strspn(e->d_name, "0123456789abcdef") != 32 ||
		    (n != 32 && strcmp(e->d_name + 32, ".partial") != 0))
			continue;
		id = k8c_xstrndup(e->d_name, 32);
		if (n == 32 && id_used(images, id))
			continue;
		path = k8c_xasprintf("%s/%s", dir, e->d_name);
		if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode) || now - st.st_mtime < SWEEP_AGE_S)
			continue;
		k8c_remove_tree(path, &ignored);
	}
	closedir(d);
}

/* --- unpacking ------------------------------------------------------------------ */

typedef struct unpack {
	const char *file;
	void (*progress)(int64_t files, int64_t bytes, void *arg);
	void *arg;
	int64_t files, bytes, next_report_ns;
} unpack_t;

static int copy_data(struct archive *in, struct archive *out)
{
	const void *buf;
	size_t size;
	la_int64_t offset;
	int r;

	while ((r = archive_read_data_block(in, &buf, &size, &offset)) == ARCHIVE_OK)
		if (archive_write_data_block(out, buf, size, offset) < ARCHIVE_OK)
			return ARCHIVE_FATAL;
	return r == ARCHIVE_EOF ? ARCHIVE_OK : r;
}

/* An archive path that stays inside the rootfs: relative, no "..". */
static int safe_path(const char *p)
{
	if (p == NULL || p[0] == '/')
		return 0;
	for (const char *c = p; *c != '\0';) {
		size_t n = strcspn(c, "/");
		if (n == 2 && c[0] == '.' && c[1] == '.')
			return 0;
		c += n;
		while (*c == '/')
			c++;
	}
	return 1;
}

/* Unpack u->file into the current directory (the new rootfs). */
static int unpack_here(unpack_t *u, k8c_error_t *err)
{
	struct archive *in = archive_read_new(), *out = archive_write_disk_new();
	struct archive_entry *entry;
	int flags = ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_ACL |
	            ARCHIVE_EXTRACT_SECURE_SYMLINKS |
	            ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS;
	int r, ret = 0;

	if (geteuid() == 0)
		flags |= ARCHIVE_EXTRACT_OWNER; /* as root the files keep their (numeric) owners */
	archive_read_support_format_tar(in);
	/* the compressions libarchive does itself (no external programs) */
	archive_read_support_filter_gzip(in);
	archive_read_support_filter_bzip2(in);
	archive_read_support_filter_xz(in);
	archive_read_support_filter_zstd(in);
	archive_write_disk_set_options(out, flags);
	if (archive_read_open_filename(in, u->file, 64 * 1024) != ARCHIVE_OK) {
		ret = k8c_error_make(err, K8C_EINVAL, "%s is not a tar archive (%s)", u->file,
		                     archive_error_string(in));
		goto out;
	}
	while ((r = archive_read_next_header(in, &entry)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(entry);
		const char *link = archive_entry_hardlink(entry);
		size_t len = name ? strlen(name) : 0;

		if ((len >= 10 && strcmp(name + len - 10, "/layer.tar") == 0) ||
		    strcmp(name, "oci-layout") == 0 || strcmp(name, "./oci-layout") == 0) {
			ret = k8c_error_make(err, K8C_EINVAL,
			                     "%s looks like `docker save` output (image layers): import a root filesystem tarball instead, e.g. made by `docker export` or contrib/images/busybox.sh",
			                     u->file);
			goto out;
		}
		if (!safe_path(name) || (link != NULL && !safe_path(link))) {
			ret = k8c_error_make(err, K8C_EINVAL,
			                     "%s: entry \"%s\" would land outside the image's root filesystem",
			                     u->file, name ? name : "");
			goto out;
		}
		r = archive_write_header(out, entry);
		if (r == ARCHIVE_OK && archive_entry_size(entry) > 0)
			r = copy_data(in, out);
		if (r == ARCHIVE_OK)
			r = archive_write_finish_entry(out);
		if (r < ARCHIVE_WARN) {
			ret = k8c_error_make(err, K8C_EINVAL, "%s: entry \"%s\": %s", u->file, name,
			                     archive_error_string(out) ? archive_error_string(out)
			                                               : archive_error_string(in));
			goto out;
		}
		u->files++;
		u->bytes += archive_entry_size(entry);
		if (u->progress != NULL && k8c_time_monotonic_ns() >= u->next_report_ns) {
			u->progress(u->files, u->bytes, u->arg);
			u->next_report_ns = k8c_time_monotonic_ns() + 1000000000LL;
		}
	}
	if (r != ARCHIVE_EOF) {
		ret = k8c_error_make(err, K8C_EINVAL, u->files == 0 ? "%s is not a tar archive (%s)" : "%s: %s",
		                     u->file, archive_error_string(in));
		goto out;
	}
	if (u->files == 0)
		ret = k8c_error_make(err, K8C_EINVAL, "%s: the archive holds no files", u->file);
out:
	archive_read_free(in);
	archive_write_free(out);
	return ret;
}

static char *new_id(void)
{
	unsigned char b[16];
	char *id = k8c_xmalloc(sizeof(b) * 2 + 1);

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		k8c_die("getrandom failed");
	for (size_t i = 0; i < sizeof(b); i++)
		sprintf(id + 2 * i, "%02x", b[i]);
	return id;
}

int k8c_image_import(const char *data_dir, const char *ref, const char *file,
                     void (*progress)(int64_t files, int64_t bytes, void *arg), void *arg,
                     char **id_out, k8c_error_t *err)
{
	_cleanup_free_ char *name = NULL, *dir = images_dir(data_dir), *id = NULL;
	_cleanup_free_ char *partial = NULL, *final = NULL, *rootfs = NULL, *old_id = NULL;
	_cleanup_free_ char *abs_file = NULL;
	unpack_t u = {file, progress, arg, 0, 0, k8c_time_monotonic_ns() + 1000000000LL};
	cJSON *images = NULL, *entry;
	char stamp[K8C_TIME_STRLEN];
	int ret, cwd, lock;

	if ((ret = k8c_image_normalize(ref, &name, err)) < 0)
		return ret;
	/* the unpacking runs in the new rootfs: the tarball's absolute path */
	if (access(file, R_OK) != 0 || (abs_file = realpath(file, NULL)) == NULL)
		return k8c_error_make(err, K8C_EINVAL, "cannot read %s: %s", file, strerror(errno));
	u.file = abs_file;
	/* 0700: images unpacked as root keep setuid files and device nodes,
	 * which only containers may reach, not every local user */
	if ((ret = k8c_mkdir_p(dir, 0700, err)) < 0)
		return ret;
	if (chmod(dir, 0700) != 0)
		return k8c_error_make(err, K8C_EIO, "cannot chmod %s: %s", dir, strerror(errno));
	id = new_id();
	partial = k8c_xasprintf("%s/%s.partial", dir, id);
	final = k8c_xasprintf("%s/%s", dir, id);
	rootfs = k8c_xasprintf("%s/rootfs", partial);
	if ((ret = k8c_mkdir_p(rootfs, 0755, err)) < 0)
		return ret;
	/* relative paths, so that libarchive's checks start at the rootfs */
	cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cwd < 0 || chdir(rootfs) != 0) {
		ret = k8c_error_make(err, K8C_EIO, "cannot enter %s: %s", rootfs, strerror(errno));
	} else {
		ret = unpack_here(&u, err);
		if (fchdir(cwd) != 0 && ret == 0)
			ret = k8c_error_make(err, K8C_EIO, "cannot return to the working directory: %s",
			                     strerror(errno));
	}
	if (cwd >= 0)
		close(cwd);
	if (ret == 0 && chmod(rootfs, 0755) != 0) /* whatever mode "./" had in the tarball */
		ret = k8c_error_make(err, K8C_EIO, "cannot chmod %s: %s", rootfs, strerror(errno));
	if (ret == 0 && rename(partial, final) != 0)
		ret = k8c_error_make(err, K8C_EIO, "cannot rename %s: %s", partial, strerror(errno));
	if (ret < 0) {
		k8c_error_t ignored;
		k8c_remove_tree(partial, &ignored);
		return ret;
	}
	if ((lock = lock_store(dir, err)) < 0)
		return lock;
	ret = read_index(dir, &images, err);
	if (ret == 0) {
		entry = find(images, name);
		if (entry != NULL) {
			old_id = k8c_xstrdup(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(entry, "id")));
			cJSON_Delete(cJSON_DetachItemViaPointer(images, entry));
		}
		entry = cJSON_CreateObject();
		cJSON_AddStringToObject(entry, "name", name);
		cJSON_AddStringToObject(entry, "id", id);
		cJSON_AddNumberToObject(entry, "size", (double)u.bytes);
		cJSON_AddNumberToObject(entry, "files", (double)u.files);
		k8c_time_format(k8c_time_now_ns(), stamp);
		cJSON_AddStringToObject(entry, "created", stamp);
		cJSON_AddItemToArray(images, entry);
		ret = write_index(dir, images, err);
	}
	if (ret == 0 && old_id != NULL && !id_used(images, old_id)) {
		_cleanup_free_ char *old = k8c_xasprintf("%s/%s", dir, old_id);
		k8c_error_t ignored;
		k8c_remove_tree(old, &ignored);
	}
	if (ret == 0)
		sweep(dir, images);
	close(lock);
	cJSON_Delete(images);
	if (ret < 0) {
		k8c_error_t ignored;
		k8c_remove_tree(final, &ignored);
		return ret;
	}
	if (id_out != NULL)
		*id_out = K8C_STEAL(id);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
	const char *nx = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(x, "name"));
	const char *ny = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(y, "name"));

	return strcmp(nx ? nx : "", ny ? ny : "");
}

int k8c_image_list(const char *data_dir, cJSON **out, k8c_error_t *err)
{
	_cleanup_free_ char *dir = images_dir(data_dir);
	cJSON *images, **v, *sorted;
	int n, ret;

	if ((ret = read_index(dir, &images, err)) < 0)
		return ret;
	n = cJSON_GetArraySize(images);
	v = k8c_xcalloc((size_t)n + 1, sizeof(*v));
	for (int i = 0; i < n; i++)
		v[i] = cJSON_DetachItemFromArray(images, 0);
	qsort(v, (size_t)n, sizeof(*v), by_name);
	sorted = cJSON_CreateArray();
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(sorted, v[i]);
	free(v);
	cJSON_Delete(images);
	*out = sorted;
	return 0;
}

int k8c_image_remove(const char *data_dir, const char *ref, k8c_error_t *err)
{
	_cleanup_free_ char *name = NULL, *dir = images_dir(data_dir), *id = NULL;
	cJSON *images = NULL, *entry;
	int ret, lock;
	struct stat st;

	if ((ret = k8c_image_normalize(ref, &name, err)) < 0)
		return ret;
	if (stat(dir, &st) != 0)
		return k8c_error_make(err, K8C_ENOTFOUND, "no image %s (the store at %s is empty)", name, dir);
	if ((lock = lock_store(dir, err)) < 0)
		return lock;
	ret = read_index(dir, &images, err);
	if (ret == 0) {
		entry = find(images, name);
		if (entry == NULL) {
			ret = k8c_error_make(err, K8C_ENOTFOUND, "no image %s (see k8c image ls)", name);
		} else {
			id = k8c_xstrdup(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(entry, "id")));
			cJSON_Delete(cJSON_DetachItemViaPointer(images, entry));
			ret = write_index(dir, images, err);
		}
	}
	if (ret == 0 && !id_used(images, id)) {
		_cleanup_free_ char *path = k8c_xasprintf("%s/%s", dir, id);
		ret = k8c_remove_tree(path, err);
	}
	if (ret == 0)
		sweep(dir, images);
	close(lock);
	cJSON_Delete(images);
	return ret;
}

int k8c_image_rootfs(const char *data_dir, const char *ref, char **out, k8c_error_t *err)
{
	_cleanup_free_ char *name = NULL, *dir = images_dir(data_dir);
	cJSON *images = NULL, *entry;
	int ret;

	if ((ret = k8c_image_normalize(ref, &name, err)) < 0)
		return ret;
	if ((ret = read_index(dir, &images, err)) < 0)
		return ret;
	entry = find(images, name);
	if (entry == NULL)
		ret = k8c_error_make(err, K8C_ENOTFOUND, "image %s is not in the local store (k8c image import)",
		                     name);
	else
		*out = k8c_xasprintf("%s/%s/rootfs", dir,
		                     cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(entry, "id")));
	cJSON_Delete(images);
	return ret;
}
