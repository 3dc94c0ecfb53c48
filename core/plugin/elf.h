/* A sanity check of an ELF file before dlopen(): glibc maps a truncated
 * shared object and then dies of SIGBUS touching the missing pages, so the
 * loader first checks that the file is a complete shared object for this
 * machine. */
#ifndef K8C_PLUGIN_ELF_H
#define K8C_PLUGIN_ELF_H

/* 0 when path looks like a loadable shared object of this machine; else -1
 * and *why (caller frees) says what is wrong. */
int k8c_elf_check(const char *path, char **why);

#endif
