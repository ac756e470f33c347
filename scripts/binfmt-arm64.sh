#!/usr/bin/env bash
# Let an x86-64 build host run arm64 programs, so mmdebstrap can run the arm64 packages' maintainer
# scripts: qemu-user-static registered through binfmt_misc. Idempotent; says what it changes.
# (A host-wide setting, like installing qemu-user-static on a systemd host does by itself.)
set -euo pipefail
[ "$(uname -m)" = aarch64 ] && exit 0
f=/proc/sys/fs/binfmt_misc
if [ ! -e "$f/register" ]; then
  echo "binfmt: mounting binfmt_misc on $f"
  mount -t binfmt_misc binfmt_misc "$f" || { echo "binfmt: cannot mount binfmt_misc (not root, or a container without it); hint: build arm64 images on an arm64 host" >&2; exit 1; }
fi
if [ ! -e "$f/qemu-aarch64" ]; then
  echo "binfmt: registering qemu-aarch64 (qemu-user-static)"
  update-binfmts --enable qemu-aarch64
fi
grep -q '^enabled' "$f/qemu-aarch64" || { echo "binfmt: qemu-aarch64 is registered but disabled; hint: update-binfmts --enable qemu-aarch64" >&2; exit 1; }
