#!/usr/bin/env bash
# The VM stage: this build, tried on the host most users have — Debian 12 with systemd as PID 1,
# cgroup v2 only, /run mounted noexec — as a new user would try it, because the machine the rest of
# the tests run on is not such a host (cgroup v1 hybrid, no systemd) and a fake cgroupfs proves only
# what its author believed about the kernel.
#
# The guest (vm/image.sh: built once, cached) boots under qemu on a copy-on-write overlay, so every
# stage starts from the same clean disk. Its only network is qemu's user net restricted to the ssh
# port forwarded from the host's loopback: the guest reaches nothing. Into it goes the clone as a user
# has it (the tracked files and the jar built here, newer than its sources, so nothing is rebuilt),
# the compiled tests with their jars, and the shared hostile suite. Then, each step a root ssh login
# of its own (so each runs in a systemd login session, .../session-N.scope, as a user's would):
#   1. ./runbox check-host passes;
#   2. ./runbox serve is started from such a session and answers /health (through an ssh tunnel);
#   3. the conformance suite runs from here against it (./runbox conformance --slowdown N);
#   4. README's Quick start runs inside the guest (through the server, and in-process);
#   5. the shared hostile suite runs inside the guest against it (its checks of leftovers, canaries
#      and the server's environment are about the guest), its time bounds scaled (guest.sh);
#   6. the sandbox tests run inside the guest, with JUnit's console launcher (the guest has no Maven);
#   7. the Docker sandbox's tests and the conformance suite on it run inside the guest, on a dockerd
#      the tests start (the guest has Debian's docker.io, and AppArmor on), from the tests' base
#      image copied in.
# Everything the guest printed is kept under target/vm/ (console.log, serve.log, *.log, reports/).
#
# Under software emulation everything in the guest is 5 to 18 times slower than here. So the guest's
# server gets compile time limits 6 times the built-in ones (a javac of a hello world takes longer
# than Java's 20 s), and both suites are told the slowdown (SLOWDOWN): the time limits of runs that
# must end within them, and the time bounds the suites check, are that many times larger; limits
# meant to be reached are not, and nothing else is relaxed. The Docker step's tests are told it too;
# its conformance server keeps the built-in limits (the suite holds it to them: they suffice there).
#
#   vm/stage.sh        (./runbox test runs it after the Maven build; RUNBOX_VM_STAGE=skip skips it)
#   RUNBOX_VM_STEPS="sandbox-tests docker-tests" vm/stage.sh    only these steps (for trying one)
set -euo pipefail

# All of it in one function, read whole before it runs: editing this file during a stage is safe.
main() {
cd "$(dirname "${BASH_SOURCE[0]}")/.."
started=$SECONDS
OUT=$PWD/target/vm
HOSTILE=${RUNBOX_HOSTILE_SUITE:-$PWD/../shared/hostile}
JAR=target/runbox.jar

say() { printf 'vm-stage: %s (%d s)\n' "$*" $((SECONDS - started)) >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# wait_for SECONDS WHAT CMD...: polls CMD until it succeeds, or fails the stage after SECONDS
wait_for() {
  local deadline=$((SECONDS + $1)) what=$2; shift 2
  until "$@" >/dev/null 2>&1; do
    kill -0 "$qemu" 2>/dev/null || { say "qemu ended while waiting for $what; last of console:"; tail -40 "$OUT/console.log" >&2; exit 1; }
    [ $SECONDS -lt $deadline ] || { say "gave up waiting for $what"; tail -40 "$OUT/console.log" >&2; exit 1; }
    sleep 1
  done
}

[ -f "$JAR" ] || { echo "vm-stage: build first (./runbox test builds $JAR)" >&2; exit 1; }
[ -x "$HOSTILE/run_suite.sh" ] || { echo "vm-stage: no hostile suite at $HOSTILE (set RUNBOX_HOSTILE_SUITE)" >&2; exit 1; }
IMAGE=$(vm/image.sh)
say "guest disk $IMAGE"

rm -rf "$OUT"; mkdir -p "$OUT/payload/runbox" "$OUT/payload/runbox/target/vm-lib" "$OUT/reports"
# --- what goes in -------------------------------------------------------------------------------
git ls-files -z | tar --null -T - -cf - | tar -C "$OUT/payload/runbox" -xf -
cp -p "$JAR" "$OUT/payload/runbox/target/"
touch "$OUT/payload/runbox/target/runbox.jar"                # newer than every source: not rebuilt
cp -r target/classes target/test-classes "$OUT/payload/runbox/target/"
mvn -q -B dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$OUT/classpath.txt" > "$OUT/classpath.log" 2>&1 ||
  { cat "$OUT/classpath.log" >&2; exit 1; }
tr ':' '\n' < "$OUT/classpath.txt" | xargs -r cp -t "$OUT/payload/runbox/target/vm-lib/"
cp -r "$HOSTILE" "$OUT/payload/hostile"
cp vm/guest.sh "$OUT/payload/"

# --- boot ---------------------------------------------------------------------------------------
qemu-img create -q -f qcow2 -F raw -b "$IMAGE/disk.raw" "$OUT/overlay.qcow2"
SSH_PORT=$(free_port)
# KVM where it runs a stock kernel; this machine's /dev/kvm is kvm_pvm, which runs only PVM guests.
# Else TCG with a CPU model that has what the JDK and glibc expect of x86-64 (-cpu max crashes the
# guest JVM's JIT), and one host thread for both vCPUs: with thread=multi the guest JVM died now and
# then of SIGILL in code C1 had just compiled (seen here: eight JIT-heavy runs passed, then
# `runbox run` died so in the stage), so it is only for trying (RUNBOX_VM_TCG_THREAD=multi).
if [ -w /dev/kvm ] && [ ! -d /sys/module/kvm_pvm ]; then
  accel=(-accel kvm -cpu host)
else
  accel=(-accel "tcg,thread=${RUNBOX_VM_TCG_THREAD:-single}" -cpu qemu64,+ssse3,+sse4.1,+sse4.2,+popcnt,+cx16)
fi
qemu-system-x86_64 "${accel[@]}" -machine q35 -smp 2 -m 6144 \
  -kernel "$IMAGE/vmlinuz" -initrd "$IMAGE/initrd.img" \
  -append "root=/dev/vda rw console=ttyS0 panic=-1" -no-reboot \
  -drive "file=$OUT/overlay.qcow2,if=virtio,format=qcow2" \
  -netdev "user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:$SSH_PORT-:22" -device virtio-net-pci,netdev=net0 \
  -display none -monitor none -serial "file:$OUT/console.log" &
qemu=$!
tunnel=
# every step may fail (qemu gone already when the guest powered itself off): under set -e a failing
# command here would make a passed stage exit 1
trap '{ [ -z "$tunnel" ] || kill $tunnel; } 2>/dev/null || true; kill $qemu 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$OUT/payload" "$OUT/overlay.qcow2"' EXIT

SSH=(ssh -q -i "$IMAGE/ssh/id_ed25519" -p "$SSH_PORT" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
     -o LogLevel=ERROR -o ConnectTimeout=10 -o ServerAliveInterval=15 -o ServerAliveCountMax=8 root@127.0.0.1)
guest() { "${SSH[@]}" "$@"; }
wait_for 600 "the guest's sshd" guest true
say "guest up: $(guest 'uname -r; systemctl --version | head -1; stat -fc %T /sys/fs/cgroup; findmnt -no OPTIONS /run' | tr '\n' ' ')"

tar -C "$OUT/payload" -cf - . | guest 'tar -C /root -xf -'
say "payload copied ($(du -sh "$OUT/payload" | cut -f1))"

# How much more CPU time the guest's programs take than this machine's, now: the CPU time (user +
# system, as the guest's kernel counts it, which is what its cgroups limit) of ten python3 starts,
# there against here, rounded up, 1 … 20. CPU time, not wall time: a busy host slows both alike.
ten_pythons='TIMEFORMAT="%3U %3S"; { time (for i in 1 2 3 4 5 6 7 8 9 10; do /usr/bin/python3 -c pass; done) ; } 2>&1 | awk "{ printf \"%d\", (\$1 + \$2) * 1000 }"'
here=$(bash -c "$ten_pythons"); there=$(guest "bash -c '$ten_pythons'")
SLOWDOWN=$(( (there + here - 1) / here )); [ $SLOWDOWN -ge 1 ] || SLOWDOWN=1; [ $SLOWDOWN -le 20 ] || SLOWDOWN=20
say "slowdown $SLOWDOWN (ten python3 starts: $here ms of CPU here, $there ms in the guest)"

# each step writes its log here and fails the stage (after collecting what there is) when it fails
failed=() ran=()
wanted() { [ -z "${RUNBOX_VM_STEPS:-}" ] || [[ " $RUNBOX_VM_STEPS " == *" $1 "* ]]; }
step() {
  local name=$1; shift
  wanted "$name" || return 0
  ran+=("$name")
  local t=$SECONDS status=0
  "$@" > "$OUT/$name.log" 2>&1 || status=$?
  if [ $status -eq 0 ]; then say "$name: passed in $((SECONDS - t)) s"
  else say "$name: FAILED (exit $status) in $((SECONDS - t)) s; last of $OUT/$name.log:"; tail -30 "$OUT/$name.log" >&2; failed+=("$name"); fi
}

step check-host guest /root/guest.sh check-host

# The server stays in its own login session; the tunnel is a second one, as a user's browser would
# use. API keys stay off: the hostile suite sends none, and one server start under emulation takes
# minutes. So the conformance suite skips its key and callback cases here; they are about the API,
# which the other shapes prove, not about the host.
if wanted conformance || wanted quick-start || wanted hostile; then
  guest /root/guest.sh serve > "$OUT/serve-session.log" 2>&1 &
  HTTP_PORT=$(free_port)
  "${SSH[@]}" -N -o ExitOnForwardFailure=yes -L "127.0.0.1:$HTTP_PORT:127.0.0.1:8080" &
  tunnel=$!
  t=$SECONDS
  wait_for 600 "the guest's /health" curl -fsS "http://127.0.0.1:$HTTP_PORT/health"
  say "serve: /health answered after $((SECONDS - t)) s"

  step conformance ./runbox conformance "http://127.0.0.1:$HTTP_PORT" --slowdown "$SLOWDOWN"
  cp target/surefire-reports/TEST-dev.runbox.conformance.ExternalConformanceTest.xml "$OUT/reports/" 2>/dev/null || true
  step quick-start guest /root/guest.sh quick-start "$SLOWDOWN"
  step hostile guest /root/guest.sh hostile "$SLOWDOWN"
  guest /root/guest.sh stop-serve > "$OUT/stop-serve.log" 2>&1 || true
fi
step sandbox-tests guest /root/guest.sh sandbox-tests "$SLOWDOWN"
if wanted docker-tests; then
  # the tests' base image as this machine's Docker tests left it (built here when they did not): the
  # guest reaches no mirror to build it from
  tar=$(java -cp "target/test-classes:target/classes:$(cat "$OUT/classpath.txt")" dev.runbox.testing.TestImage)
  t=$SECONDS
  guest "mkdir -p '$(dirname "$tar")' && cat > '$tar.partial' && mv '$tar.partial' '$tar'" < "$tar"
  say "docker-tests: base image $tar copied in ($(( $(stat -c %s "$tar") >> 20 )) MB in $((SECONDS - t)) s)"
fi
step docker-tests guest /root/guest.sh docker-tests "$SLOWDOWN"
guest 'cat /root/serve.log' > "$OUT/serve.log" 2>/dev/null || true
guest 'tar -C /root/reports -cf - .' 2>/dev/null | tar -C "$OUT/reports" -xf - 2>/dev/null || true
guest 'systemctl poweroff' >/dev/null 2>&1 || true

if [ ${#failed[@]} -gt 0 ]; then
  say "VM stage FAILED: ${failed[*]} (logs in $OUT)"
  exit 1
fi
say "VM stage passed: ${ran[*]}"
}

main "$@"
