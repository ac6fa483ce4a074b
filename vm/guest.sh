#!/usr/bin/env bash
# The VM stage's steps inside the guest (vm/stage.sh runs each over an ssh login of its own, as root).
# The clone is /root/runbox, the hostile suite /root/hostile; logs and reports go to /root.
#
#   guest.sh check-host | serve | stop-serve | hostile | sandbox-tests
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
  hostile)
    pid=$(server_pid)
    SERVER_PID=$pid CANARY_SECRET=$(canary) /root/hostile/run_suite.sh http://127.0.0.1:8080
    ;;
  sandbox-tests)
    # the same classes Maven ran here, by JUnit's own launcher, in a delegated scope as ./runbox test is
    mkdir -p /root/reports
    exec bin/in-delegated-cgroup java -XX:+UseSerialGC \
      -cp "target/test-classes:target/classes:target/vm-lib/*" org.junit.platform.console.ConsoleLauncher execute \
      --disable-banner --details=summary --details-theme=ascii --fail-if-no-tests \
      --select-package=dev.runbox.sandbox --exclude-classname='.*Docker.*' --reports-dir=/root/reports
    ;;
  *)
    echo "usage: guest.sh check-host | serve | stop-serve | hostile | sandbox-tests" >&2; exit 2
    ;;
esac
