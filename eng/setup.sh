#!/usr/bin/env bash
# Installs what PyHosting needs on a Debian 12 machine, when it is missing:
# CPython 3.11 as a shared library, its venv module (the tests make virtual environments), its headers
# (the tests compile a C extension), numpy, CPython's own regression test suite (the compatibility runner
# and its tests run it), bubblewrap (PythonRuntime:Isolation:Confinement confines worker processes with it), and clang
# and zlib1g-dev (NativeAOT links with them: a test publishes the sample with PublishAot=true).
set -euo pipefail

packages=(libpython3.11 python3.11 python3.11-venv python3-dev python3-numpy gcc libpython3.11-testsuite bubblewrap clang zlib1g-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

command -v dotnet >/dev/null || { echo "The .NET 10 SDK is required (dotnet not found on PATH)." >&2; exit 1; }
