/* /sbin/sovereign-init: the kernel's init. Bun cannot start without /proc (oven-sh/bun#1360), so this
 * mounts /proc (and /dev if the kernel did not) and execs the agent, which becomes PID 1.
 * Kept trivial on purpose: no allocation, no parsing. Built static. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/reboot.h>
#include <unistd.h>

#ifndef AGENT
#define AGENT "/usr/local/bin/sovereign-agent"
#endif

int main(int argc, char **argv) {
  (void)argc;
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
