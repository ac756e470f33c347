#!/system/bin/sh
# Phone (AVF host) side: the bridge 192.168.100.1/24 and one TAP per guest VM.
# Run once per boot as root on the host (or from the app that launches the VMs).
set -e
ip link add br-sovereign type bridge 2>/dev/null || true
ip addr add 192.168.100.1/24 dev br-sovereign 2>/dev/null || true
ip link set br-sovereign up
for tap in tap-sql tap-forgejo; do
  ip tuntap add dev "$tap" mode tap 2>/dev/null || true
  ip link set "$tap" master br-sovereign up
done
# Let the guests reach the internet (tailscaled's control plane and DERP) through the phone:
echo 1 > /proc/sys/net/ipv4/ip_forward
