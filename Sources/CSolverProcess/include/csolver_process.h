#ifndef CSOLVER_PROCESS_H
#define CSOLVER_PROCESS_H

/*
 * The Linux calls a contained solve needs and Swift's Glibc module does not show:
 * pipes created close-on-exec in one step (so that no child spawned by another thread
 * meanwhile inherits them and keeps them open), and the file a loaded image came from.
 */

/* pipe2(fds, O_CLOEXEC); 0 on success, -1 with errno set. */
int csolver_pipe_cloexec(int fds[2]);

/* Copies the path of the shared object or executable that holds csolver_image_path itself
   into buffer (NUL-terminated); returns 0 on success, -1 if unknown or too long. */
int csolver_image_path(char *buffer, unsigned long capacity);

/* Asks the kernel to kill this process when the thread that started it ends (its host died),
   and returns -1 if the host is already gone; called by cosma-solver first thing. */
int csolver_die_with_parent(void);

/* 1 when this process may limit its own address space; 0 when it was built with
   AddressSanitizer (`make sanitize` builds every target so), whose shadow memory takes
   terabytes of address space at start-up: under a limit every later allocation fails. */
int csolver_may_limit_address_space(void);

#endif
