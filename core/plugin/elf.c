/* ELF pre-checks for plugin files: header, class, byte order, machine,
 * type, and every segment and table within the file's size. */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/mem.h"
#include "plugin/elf.h"

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NATIVE_DATA ELFDATA2LSB
#else
#define NATIVE_DATA ELFDATA2MSB
#endif
#if UINTPTR_MAX == 0xffffffffffffffffu
#define NATIVE_CLASS ELFCLASS64
#else
#define NATIVE_CLASS ELFCLASS32
#endif

/* The machine this process runs as, read from its own ELF header. */
static int native_machine(void)
{
	static int machine = -1;
	ElfW(Ehdr) eh;
	int fd;

	if (machine >= 0)
		return machine;
	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && pread(fd, &eh, sizeof(eh), 0) == (ssize_t)sizeof(eh))
		machine = eh.e_machine;
	if (fd >= 0)
		close(fd);
	return machine;
}

/* Is [off, off + len) inside a file of size bytes? */
static int within(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

int k8c_elf_check(const char *path, char **why)
{
	ElfW(Ehdr) eh;
	ElfW(Phdr) *ph = NULL;
	struct stat st;
	int fd, ret = -1, machine;
	size_t phsize;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*why = k8c_xasprintf("cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		*why = k8c_xstrdup("not a regular file");
		goto out;
	}
	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) {
		*why = k8c_xstrdup("not an ELF file");
		goto out;
	}
	machine = native_machine();
	if (eh.e_ident[EI_CLASS] != NATIVE_CLASS || eh.e_ident[EI_DATA] != NATIVE_DATA ||
	    (machine >= 0 && eh.e_machine != machine)) {
		*why = k8c_xasprintf("ELF file for another machine (class %d, data %d, machine %d)",
		                     eh.e_ident[EI_CLASS], eh.e_ident[EI_DATA], eh.e_machine);
		goto out;
	}
	if (eh.e_type != ET_DYN) {
		*why = k8c_xasprintf("ELF file of type %d, not a shared object", eh.e_type);
		goto out;
	}
	if (eh.e_phentsize != sizeof(ElfW(Phdr)) || eh.e_phnum == 0 ||
	    !within(eh.e_phoff, (uint64_t)eh.e_phnum * sizeof(ElfW(Phdr)), (uint64_t)st.st_size)) {
		*why = k8c_xstrdup("truncated or corrupt ELF file: program headers out of bounds");
		goto out;
	}
	if (eh.e_shnum != 0 &&
	    (eh.e_shentsize != sizeof(ElfW(Shdr)) ||
	     !within(eh.e_shoff, (uint64_t)eh.e_shnum * sizeof(ElfW(Shdr)), (uint64_t)st.st_size))) {
		*why = k8c_xstrdup("truncated or corrupt ELF file: section headers out of bounds");
		goto out;
	}
	phsize = (size_t)eh.e_phnum * sizeof(ElfW(Phdr));
	ph = k8c_xmalloc(phsize);
	if (pread(fd, ph, phsize, (off_t)eh.e_phoff) != (ssize_t)phsize) {
		*why = k8c_xstrdup("cannot read the program headers");
		goto out;
	}
	for (size_t i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD && ph[i].p_type != PT_DYNAMIC)
			continue;
		if (!within(ph[i].p_offset, ph[i].p_filesz, (uint64_t)st.st_size) ||
		    ph[i].p_filesz > ph[i].p_memsz) {
			*why = k8c_xasprintf("truncated or corrupt ELF file: segment %zu lies beyond the end of the file", i);
			goto out;
		}
	}
	ret = 0;
out:
	free(ph);
	close(fd);
	return ret;
}
