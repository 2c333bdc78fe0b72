#!/usr/bin/env bash
# Runs the steps of samples/WorkerService/Dockerfile on this Debian 12 machine, without Docker: every package its
# runtime stage installs must exist here under that name (installed), its publish command must succeed, and its
# entry point must run every job once and exit 0. What it cannot check is the base images themselves.
#   samples/WorkerService/container-steps.sh [output directory]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dockerfile="$here/Dockerfile"
out="${1:-$(mktemp -d)}"

# The runtime stage's packages: the words after "install" and its options on the apt-get line.
packages=$(grep -oE 'apt-get install [^&\\]*' "$dockerfile" | sed -E 's/apt-get install//; s/ -[^ ]+//g')
missing=()
for p in $packages; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]} > 0)); then
    echo "container-steps: not installed on this machine: ${missing[*]}" >&2
    exit 1
fi

# The build stage's publish command, with its output directory here instead of /app.
publish=$(grep -E '^RUN dotnet publish ' "$dockerfile" | sed -E 's/^RUN //; s# -o /app$##')
(cd "$root" && $publish -o "$out")

# The entry point, from the published folder (the image's working directory).
entrypoint=$(grep -E '^ENTRYPOINT ' "$dockerfile" | sed -E 's/^ENTRYPOINT \["([^"]+)"\]$/\1/')
cd "$out"
"$entrypoint" --Worker:RunOnce=true
