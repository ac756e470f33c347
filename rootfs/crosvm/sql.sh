#!/system/bin/sh
# SQL VM under crosvm: our arm64 kernel, the sql rootfs, its own data disk, the shared config disk,
# the TAP on the bridge, and the agent's console on hvc0 (crosvm's virtio console).
exec crosvm run \
  --cpus 2 --mem 1024 \
  --serial type=stdout,hardware=virtio-console,console,stdin \
  --block path=sql-arm64.img,root \
  --block path=data-sql.img \
  --block path=config.img,ro \
  --net tap-name=tap-sql \
  -p "panic=-1 rw init=/sbin/sovereign-init sovereign.role=sql" \
  Image
