#define _GNU_SOURCE
#include "ridgeline_perf_event.h"

#include <errno.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int ridgeline_perf_event_open(struct perf_event_attr *attr, int pid, int cpu, int group_fd, unsigned long flags) {
    long fd = syscall(SYS_perf_event_open, attr, pid, cpu, group_fd, flags);
    return fd < 0 ? -errno : (int)fd;
}

int ridgeline_perf_event_reset_enable(int fd) {
    if (ioctl(fd, PERF_EVENT_IOC_RESET, 0) != 0) return -errno;
    if (ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) != 0) return -errno;
    return 0;
}

int ridgeline_perf_event_disable_read(int fd, uint64_t *value) {
    if (ioctl(fd, PERF_EVENT_IOC_DISABLE, 0) != 0) return -errno;
    ssize_t n = read(fd, value, sizeof *value);
    if (n < 0) return -errno;
    return n == (ssize_t)sizeof *value ? 0 : -EIO;
}

int ridgeline_thread_rusage(struct rusage *usage) {
    return getrusage(RUSAGE_THREAD, usage) == 0 ? 0 : -errno;
}
