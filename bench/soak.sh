#!/usr/bin/env bash
# Soak benchmark: the same long encode against the patched addon (the
# workspace's) and an unpatched build of beamcoder 0.7.1, built once into
# bench/.unpatched from the npm registry's tarball.
set -euo pipefail
cd "$(dirname "$0")/.."
frames=${SOAK_FRAMES:-300000}
dir=bench/.unpatched
if [ ! -f "$dir/package/build/Release/beamcoder.node" ]; then
  mkdir -p "$dir"
  (cd "$dir" && npm pack beamcoder@0.7.1 --silent >/dev/null && tar xzf beamcoder-0.7.1.tgz)
  gyp="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
  # Build against the local Node headers (no header download), as pnpm install does here.
  prefix="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
  nodedir_flag=""
  [ -f "$prefix/include/node/node.h" ] && nodedir_flag="--nodedir=$prefix"
  (cd "$dir/package" && node "$gyp" rebuild $nodedir_flag >/dev/null)
fi
echo "== patched"
SOAK_FRAMES=$frames node --expose-gc --import tsx bench/soak.ts
echo "== unpatched"
SOAK_FRAMES=$frames BEAMFLOW_BEAMCODER_ADDON="$PWD/$dir/package/build/Release/beamcoder.node" node --expose-gc --import tsx bench/soak.ts
