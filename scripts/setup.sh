#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks for wiregrad, then the npm dependencies
# (which builds the native addon and compiles the TypeScript). Safe to run again: each
# step is skipped when its result is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(libopenblas-openmp-dev dataset-fashion-mnist)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else sudo="none"; fi
  if [ "$sudo" = none ]; then
    echo "setup: cannot install ${missing[*]} (not root, no sudo); wiregrad will fall back where it can" >&2
  else
    echo "setup: installing ${missing[*]}" >&2
    $sudo apt-get update -qq || echo "setup: apt-get update failed; trying the install anyway" >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null ||
      echo "setup: apt-get install ${missing[*]} failed; wiregrad will fall back where it can" >&2
  fi
fi

# npm ci when the lock file changed since the last install (it also builds addon and dist/)
stamp=node_modules/.wiregrad-lock
if ! cmp -s package-lock.json "$stamp" || [ ! -d dist ]; then
  npm ci --no-fund --no-audit
  cp package-lock.json "$stamp"
fi
