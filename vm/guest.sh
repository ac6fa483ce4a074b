#!/usr/bin/env bash
# The VM stage's steps inside the guest (vm/stage.sh runs each over an ssh login of its own, as root).
# The clone is /root/runbox, the hostile suite /root/hostile; logs and reports go to /root.
#
#   guest.sh check-host | serve | stop-serve | quick-start SLOWDOWN | hostile SLOWDOWN | sandbox-tests SLOWDOWN
#            | docker-tests SLOWDOWN
set -euo pipefail
cd /root/runbox

# Emulation makes compiles about 10 times slower: the guest's languages are the built-in ones with
# compile time limits 6 times theirs. Run limits stay as they are.
languages() {
  jq '.compile_limits.time_limit_sec *= 6
      | .languages[] |= (if .compile_limits.time_limit_sec then .compile_limits.time_limit_sec *= 6 else . end)' \
    src/main/resources/languages.json > /root/vm-languages.json
}
# a secret in the server's environment that no sandboxed program may ever see (the hostile suite checks)
canary() {
  [ -f /root/canary ] || echo "vm-canary-$RANDOM$RANDOM$RANDOM" > /root/canary
  cat /root/canary
}
# The shared hostile suite for a host SLOWDOWN times slower than an ordinary one (vm/stage.sh says how
# much), by the conformance suite's rule: a case whose run must not be stopped by its time limit (TLE
# is not among its expected statuses) gets SLOWDOWN times its limit (at most the API's 20 s); cases
# meant to reach the limit keep theirs. Every time and wall-time bound the suite checks is SLOWDOWN
# times its own. Requests meant to be refused (a limit of 0 or 1e9) and bodies that are not JSON stay
# as they are. Every other check, the leftover, canary and secret ones among them, is unchanged.
slow_hostile_cases() {
  local k=$1 from=/root/hostile to=/root/hostile-slow
  rm -rf "$to"; cp -r "$from" "$to"
  awk -F'\t' -v OFS='\t' -v k="$k" 'NR > 1 {
      n = split($6, checks, ";"); out = ""
      for (i = 1; i <= n; i++) {
        c = checks[i]
        if (c ~ /^(time_max|wall_max)=/) { split(c, kv, "="); c = kv[1] "=" kv[2] * k }
        out = out (i > 1 ? ";" : "") c
      }
      $6 = out
    } { print }' "$from/cases.tsv" > "$to/cases.tsv"
  awk -F'\t' 'NR > 1 && $6 !~ /status=[^;]*TLE/ { print $1 }' "$from/cases.tsv" | while read -r f; do
    jq -e . "$from/$f" >/dev/null 2>&1 || continue
    jq --argjson k "$k" 'if type == "object" and (.time_limit_sec | type) == "number" and .time_limit_sec > 0 and .time_limit_sec <= 20
                         then .time_limit_sec = ([.time_limit_sec * $k, 20] | min) else . end' "$from/$f" > "$to/$f"
  done
}
# The slowed suite where HostileSuite looks for it, beside the checkout (../shared/hostile): the
# in-process servers of the sandbox and Docker tests run it too
hostile_beside_checkout() {
  slow_hostile_cases "$1"
  mkdir -p /root/shared; ln -sfn /root/hostile-slow /root/shared/hostile
}
server_pid() { pgrep -f -- '-jar /root/runbox/target/runbox.jar serve' | head -1; }

case "${1:-}" in
  check-host)
    ./runbox check-host
    ;;
  serve)
    languages
    RUNBOX_CANARY_SECRET=$(canary) exec ./runbox serve --port 8080 --set languages-file=/root/vm-languages.json \
      > /root/serve.log 2>&1
    ;;
  stop-serve)
    pid=$(server_pid) || true
    [ -n "$pid" ] || { echo "no server running" >&2; exit 1; }
    kill -TERM "$pid"
    for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 1; done
    echo "the server did not stop within 120 s" >&2; exit 1
    ;;
  quick-start)
    # README's Quick start as a user types it, against the server serve started; then the same
    # program run in this process (no --server), which makes its own sandbox from this login session.
    # Its CPU time limit is SLOWDOWN times the default 2 s (at most the API's 20 s): under emulation on
    # a busy host, python's start alone took 2.9 s of the guest's CPU time, and this step proves the
    # path, not the speed.
    limit=$(( 2 * ${2:?slowdown} > 20 ? 20 : 2 * $2 ))
    cd /tmp
    echo 'print(input()[::-1])' > hello.py
    t=$SECONDS
    out=$(echo hello | /root/runbox/runbox run hello.py --stdin - --time "$limit" --server http://127.0.0.1:8080)
    [ "$out" = olleh ] || { echo "run --server printed '$out', not olleh" >&2; exit 1; }
    echo "Quick start through the server: olleh ($((SECONDS - t)) s)"
    t=$SECONDS
    out=$(echo hello | /root/runbox/runbox run hello.py --stdin - --time "$limit")
    [ "$out" = olleh ] || { echo "run in-process printed '$out', not olleh" >&2; exit 1; }
    echo "Quick start in-process: olleh ($((SECONDS - t)) s)"
    ;;
  hostile)
    slowdown=${2:?slowdown}
    slow_hostile_cases "$slowdown"
    SERVER_PID=$(server_pid) CANARY_SECRET=$(canary) CASE_TIMEOUT=$((60 * slowdown)) SUITE_BUDGET=$((1200 * slowdown)) \
      /root/hostile-slow/run_suite.sh http://127.0.0.1:8080
    ;;
  sandbox-tests)
    # the same classes Maven ran here, by JUnit's own launcher, in a delegated scope as ./runbox test is
    # (the hostile suite's with sandbox-reuse=false among them)
    hostile_beside_checkout "${2:?slowdown}"
    mkdir -p /root/reports
    exec bin/in-delegated-cgroup java -XX:+UseSerialGC -Drunbox.test.slowdown="${2:?slowdown}" \
      -cp "target/test-classes:target/classes:target/vm-lib/*" org.junit.platform.console.ConsoleLauncher execute \
      --disable-banner --details=summary --details-theme=ascii --fail-if-no-tests \
      --select-package=dev.runbox.sandbox --exclude-classname='.*Docker.*' --reports-dir=/root/reports
    ;;
  docker-tests)
    # The Docker sandbox on this host: its sandbox tests (the hostile suite's among them, with its
    # bounds scaled as above, where HostileSuite looks for it beside the checkout) and the conformance
    # suite against a server on it. The tests start their own dockerd, as on the build host (the
    # cgroupfs driver, as README says), and import the base image from the tar the stage copied in.
    hostile_beside_checkout "${2:?slowdown}"
    mkdir -p /root/reports/docker
    exec bin/in-delegated-cgroup java -XX:+UseSerialGC -Drunbox.test.slowdown="$2" \
      -cp "target/test-classes:target/classes:target/vm-lib/*" org.junit.platform.console.ConsoleLauncher execute \
      --disable-banner --details=summary --details-theme=ascii --fail-if-no-tests \
      --select-package=dev.runbox.sandbox --select-class=dev.runbox.conformance.DockerConformanceTest \
      --include-classname='.*Docker.*Test' --reports-dir=/root/reports/docker
    ;;
  *)
    echo "usage: guest.sh check-host | serve | stop-serve | quick-start SLOWDOWN | hostile SLOWDOWN | sandbox-tests SLOWDOWN | docker-tests SLOWDOWN" >&2; exit 2
    ;;
esac
