/* The kernel's own counting interfaces, for when PAPI offers nothing: perf_event_open(2) and
 * getrusage(RUSAGE_THREAD). Swift can call neither directly: perf_event_open has no libc wrapper
 * (only the variadic syscall(2)), its ioctls are function-like macros, and RUSAGE_THREAD is a
 * GNU extension the Glibc module does not export. */
#ifndef RIDGELINE_PERF_EVENT_H
#define RIDGELINE_PERF_EVENT_H

#include <linux/perf_event.h>
#include <stdint.h>
#include <sys/resource.h>

/* perf_event_open(attr, pid, cpu, group_fd, flags): the new file descriptor, or -errno. */
int ridgeline_perf_event_open(struct perf_event_attr *attr, int pid, int cpu, int group_fd, unsigned long flags);

/* Zeroes the counter and starts it: 0, or -errno. */
int ridgeline_perf_event_reset_enable(int fd);

/* Stops the counter and reads its 64-bit value into *value: 0, or -errno. */
int ridgeline_perf_event_disable_read(int fd, uint64_t *value);

/* getrusage(RUSAGE_THREAD): the calling thread's own usage; 0, or -errno. */
int ridgeline_thread_rusage(struct rusage *usage);

#endif
