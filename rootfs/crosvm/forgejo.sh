#!/system/bin/sh
# Forgejo VM under crosvm: as sql.sh, with its own rootfs and data disk.
exec crosvm run \
  --cpus 2 --mem 1024 \
  --serial type=stdout,hardware=virtio-console,console,stdin \
  --block path=forgejo-arm64.img,root \
  --block path=data-forgejo.img \
  --block path=config.img,ro \
  --net tap-name=tap-forgejo \
  -p "panic=-1 rw init=/sbin/sovereign-init sovereign.role=forgejo" \
  Image
