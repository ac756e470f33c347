/* /sbin/sovereign-init: the kernel's init. Bun cannot start without /proc (oven-sh/bun#1360), so this
 * mounts /proc (and /dev if the kernel did not) and execs the agent, which becomes PID 1.
 * Kept trivial on purpose: no allocation, no parsing. Built static. */
#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/reboot.h>
#include <unistd.h>

#ifndef AGENT
#define AGENT "/usr/local/bin/sovereign-agent"
#endif

/* `sovereign-init exec CMD ARGS...`: the agent's spawn helper. Bun's spawn can leave a signal blocked
 * in the child (glibc's SIGCANCEL was seen in SigBlk), so every service starts through here: empty
 * signal mask, default dispositions, then exec. */
static int clean_exec(char **argv) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, 0);
  /* Raw rt_sigaction: glibc's signal() refuses its internal signals (32, 33), yet an ignored SIGCANCEL
   * inherited from whoever started the agent was seen in children's SigIgn. An all-zero kernel
   * sigaction is SIG_DFL with no flags and an empty mask on x86-64 and arm64 alike. */
  unsigned long ksa[4] = {0, 0, 0, 0};
  for (int s = 1; s < 65; s++) syscall(SYS_rt_sigaction, s, ksa, 0, 8); /* EINVAL for KILL/STOP: fine */
  execvp(argv[0], argv);
  fprintf(stderr, "sovereign-init exec %s: %s\n", argv[0], strerror(errno));
  return 127;
}

int main(int argc, char **argv) {
  if (argc > 2 && strcmp(argv[1], "exec") == 0) return clean_exec(argv + 2);
  if (getpid() != 1) { fprintf(stderr, "usage: sovereign-init (as PID 1) | sovereign-init exec CMD [ARGS...]\n"); return 2; }
  mkdir("/proc", 0555);
  if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, 0) != 0 && errno != EBUSY)
    fprintf(stderr, "sovereign-init: mount /proc: %s\n", strerror(errno));
  mkdir("/dev", 0755);
  mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755"); /* EBUSY when DEVTMPFS_MOUNT did it */
  char *args[] = {AGENT, "init", 0};
  char *env[] = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "TERM=linux", 0};
  (void)argv;
  execve(AGENT, args, env);
  fprintf(stderr, "SOVEREIGN-FATAL reason=exec-agent detail=exec %s: %s\n", AGENT, strerror(errno));
  sync();
  reboot(RB_POWER_OFF); /* never return from init: that panics the kernel */
  for (;;) pause();
}
