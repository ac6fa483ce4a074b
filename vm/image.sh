#!/usr/bin/env bash
# The VM stage's guest disk: a stock Debian 12 host as most users have one — systemd as pid 1,
# cgroup v2 only (systemd 252's default), /run a noexec tmpfs, root reached by ssh with a key — with
# what Runbox and its tests need to run on it (a JDK, bubblewrap, the built-in languages'
# toolchains, curl and jq for the hostile suite, Docker for the Docker sandbox's tests) and AppArmor
# on, as Debian and Ubuntu have it by default. Nothing of Runbox is in it: every stage copies in the
# jar it built.
#
# Built once by debootstrap from the Debian mirror (about 4 minutes) and cached, as the Docker test
# image is, under $RUNBOX_VM_CACHE (default /var/cache/runbox-test/vm) in a folder named after the
# hash of this file: change the recipe and the next stage builds a new disk. A stage never writes
# to the cached disk; it boots a copy-on-write overlay of it.
#
#   vm/image.sh      prints the folder that holds disk.raw, vmlinuz, initrd.img and the ssh key
set -euo pipefail

CACHE=${RUNBOX_VM_CACHE:-/var/cache/runbox-test/vm}
MIRROR=${RUNBOX_VM_MIRROR:-http://deb.debian.org/debian}
PACKAGES=(
  systemd systemd-sysv udev dbus libpam-systemd   # a systemd host: logins get a session scope
  linux-image-amd64 e2fsprogs                     # Debian 12's stock kernel (6.1)
  openssh-server                                  # users arrive by ssh, as root
  default-jdk-headless                            # runs the jar and the tests; also language java
  bubblewrap libseccomp2 libseccomp-dev           # the sandbox, its launcher's library (and header: tests build init)
  python3 gcc g++ libc6-dev nodejs perl           # the built-in languages the tests use
  curl jq procps psmisc iproute2 util-linux       # the shared hostile suite's tools
  docker.io                                       # the Docker sandbox's tests start a dockerd of their own
  apparmor                                        # a stock Debian 12 has it on (Docker confines containers by it)
)
RECIPE=$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-12)
OUT=$CACHE/bookworm-$RECIPE

if [ -f "$OUT/ready" ]; then echo "$OUT"; exit 0; fi
[ "$(id -u)" = 0 ] || { echo "vm/image.sh: building the guest needs root (debootstrap, mkfs)" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "vm/image.sh: install debootstrap" >&2; exit 1; }

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"; flock 9                       # one builder at a time; the rest reuse its disk
if [ -f "$OUT/ready" ]; then echo "$OUT"; exit 0; fi
started=$SECONDS
work=$(mktemp -d "$CACHE/build.XXXXXX")
trap 'umount -R "$work/root/proc" "$work/root/sys" "$work/root/dev" 2>/dev/null || true; rm -rf --one-file-system "$work"' EXIT
root=$work/root

IFS=,; debootstrap --variant=minbase --include="${PACKAGES[*]}" bookworm "$root" "$MIRROR" \
  > "$work/debootstrap.log" 2>&1 || { tail -30 "$work/debootstrap.log" >&2; exit 1; }; unset IFS

echo runbox-guest > "$root/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 runbox-guest\n' > "$root/etc/hosts"
printf 'LABEL=runbox-root / ext4 defaults 0 1\n' > "$root/etc/fstab"
# the only network is qemu's user net with nothing beyond the host's forwarded ports
mkdir -p "$root/etc/systemd/network"
printf '[Match]\nName=en* eth*\n[Network]\nDHCP=ipv4\n' > "$root/etc/systemd/network/10-wired.network"
ln -sf /lib/systemd/system/systemd-networkd.service "$root/etc/systemd/system/multi-user.target.wants/systemd-networkd.service"
# a stage waits for sshd, not for a network that will never reach anything
ln -sf /dev/null "$root/etc/systemd/system/systemd-networkd-wait-online.service"
ln -sf /dev/null "$root/etc/systemd/system/apt-daily.timer"
ln -sf /dev/null "$root/etc/systemd/system/apt-daily-upgrade.timer"
# the Docker tests start their own dockerd (with its own containerd, as on the build host); the
# packaged ones would only be a second engine the tests' one could pick up
for unit in docker.service docker.socket containerd.service; do ln -sf /dev/null "$root/etc/systemd/system/$unit"; done
mkdir -p "$OUT.tmp/ssh" "$root/root/.ssh"
rm -f "$OUT.tmp/ssh/id_ed25519"*
ssh-keygen -q -t ed25519 -N '' -C runbox-vm-stage -f "$OUT.tmp/ssh/id_ed25519"
cp "$OUT.tmp/ssh/id_ed25519.pub" "$root/root/.ssh/authorized_keys"
chmod 700 "$root/root/.ssh"; chmod 600 "$root/root/.ssh/authorized_keys"
echo 'root:runbox' | chroot "$root" chpasswd        # for a look on the serial console, nothing else
# sshd must not wait on DNS for a client that has no name
echo 'UseDNS no' > "$root/etc/ssh/sshd_config.d/runbox-stage.conf"

cp "$root"/boot/vmlinuz-* "$OUT.tmp/vmlinuz"
cp "$root"/boot/initrd.img-* "$OUT.tmp/initrd.img"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
truncate -s 6G "$OUT.tmp/disk.raw"
mkfs.ext4 -q -F -L runbox-root -d "$root" "$OUT.tmp/disk.raw"
rm -rf "$OUT" && mv "$OUT.tmp" "$OUT"
touch "$OUT/ready"
echo "vm/image.sh: built $OUT in $((SECONDS - started)) s" >&2
echo "$OUT"
