#define _GNU_SOURCE
#include "csolver_process.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <string.h>
#include <unistd.h>

int csolver_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int csolver_image_path(char *buffer, unsigned long capacity) {
    Dl_info info;
    if (dladdr((void *)&csolver_image_path, &info) == 0 || info.dli_fname == NULL) return -1;
    size_t length = strlen(info.dli_fname);
    if (length + 1 > capacity) return -1;
    memcpy(buffer, info.dli_fname, length + 1);
    return 0;
}

int csolver_die_with_parent(void) {
    pid_t parent = getppid();
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return -1;
    /* The host may have died before the call: the child was then handed to another parent. */
    return getppid() == parent && parent != 1 ? 0 : -1;
}

int csolver_may_limit_address_space(void) {
#if defined(__SANITIZE_ADDRESS__)
    return 0;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    return 0;
#endif
#endif
    return 1;
}
