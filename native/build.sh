#!/bin/sh
# Builds the sandbox's native parts into $1 (called by Maven in generate-resources):
#   runbox-launch  privileged first step of a run, on the host (needs libseccomp)
#   runbox-init    first process inside a prepared sandbox; static, because the Docker sandbox
#                  adds it to images with a libc of their own (or none)
set -eu
out=${1:?usage: build.sh OUTPUT_DIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
if [ ! -f /usr/include/seccomp.h ]; then
  echo "native/build.sh: libseccomp headers missing: apt-get install -y libseccomp-dev gcc (./runbox does this)" >&2
  exit 1
fi
${CC:-cc} -O2 -Wall -Wextra -Werror -o "$out/runbox-launch" "$here/launch.c" "$here/box.c" "$here/filter.c" -lseccomp
${CC:-cc} -O2 -Wall -Wextra -Werror -static -o "$out/runbox-init" "$here/init.c" "$here/filter.c" -lseccomp
