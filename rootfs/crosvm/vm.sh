#!/system/bin/sh
# One guest VM under crosvm: ./vm.sh sql|forgejo
# Our arm64 kernel, the role's rootfs, its own data disk, the shared config disk read-only, its TAP on
# the bridge (host-network.sh), and the agent's console on hvc0 (crosvm's virtio console).
set -e
role="$1"
case "$role" in sql|forgejo) ;; *) echo "usage: $0 sql|forgejo" >&2; exit 2 ;; esac
exec crosvm run \
  --cpus 2 --mem 1024 \
  --serial type=stdout,hardware=virtio-console,console,stdin \
  --block "path=$role-arm64.img,root" \
  --block "path=data-$role.img" \
  --block path=config.img,ro \
  --net "tap-name=tap-$role" \
  -p "panic=-1 rw init=/sbin/sovereign-init sovereign.role=$role" \
  Image
