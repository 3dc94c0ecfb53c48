/* The container log reader behind `kubectl logs`: copies a CRI log file
 * (plugins/runtime-process/crilog.c writes it) as the kubelet shows it,
 * following pkg/kubelet/kuberuntime/logs/logs.go. */
#ifndef K8C_KUBELET_LOG_READER_H
#define K8C_KUBELET_LOG_READER_H

#include <stddef.h>
#include <stdint.h>

typedef struct kl_log_options {
	/* -1: all; N: start at the last N newline-terminated records of the
	 * file (records, not logical lines, as the kubelet counts them), and
	 * without follow show no more than N records. */
	int64_t tail_lines;
	int64_t since_ns;    /* realtime ns since the epoch; 0: all.  Older records are skipped */
	int64_t limit_bytes; /* 0: no limit; else stop after this many bytes out (mid-line) */
	int timestamps;      /* prefix each logical line with its timestamp and a space */
	int follow;          /* after the end, wait for more (see kl_log_copy) */
} kl_log_options_t;

/* Receives output: data (borrowed, valid during the call only) of n > 0
 * bytes.  Returns 0, or < 0 to stop the copy at once (client gone). */
typedef int (*kl_log_out_fn)(void *arg, const char *data, size_t n);
/* Asked while following and waiting for records: 1 the container may
 * still write (keep following), 0 it has ended (drain, then return), -1
 * stop now. */
typedef int (*kl_log_more_fn)(void *arg);

/* Copy the container log at path (borrowed) to out() as kubectl logs shows
 * it: message text only; a P record's text is followed directly by the
 * next part, an F record's by its "\n"; stdout and stderr in file order.
 * With timestamps each logical line starts with its first record's
 * timestamp exactly as written, then a space.  A line that does not parse
 * as a record is passed through whole.  opt is borrowed; arg is passed to
 * out and more untouched; more may be NULL (follow then goes on until
 * out() stops it).
 *
 * Only the current file is read, never the rotated path.1 ...  With
 * follow, at the end of the file it polls every 100 ms and calls more()
 * at each poll; when path is renamed away (rotation) it finishes the old
 * file and goes on from the start of the new one.  A missing file is an
 * empty log; with follow it is waited for.
 *
 * Returns 0 (also when out() or more() stopped it or the byte limit was
 * reached), or -errno when the file cannot be opened or read. */
int kl_log_copy(const char *path, const kl_log_options_t *opt, kl_log_out_fn out,
                kl_log_more_fn more, void *arg);

#endif
