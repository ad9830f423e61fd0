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
  (cd "$dir/package" && node "$gyp" rebuild $nodedir_flag >build.log 2>&1) || { cat "$dir/package/build.log" >&2; exit 1; }
fi
# V8 grows its young generation twice (heap committed 18 → 27 MB by ~100k frames, 27 → 44 MB
# anywhere from 150k to 800k), and after each step RSS climbs for ~100k frames more as V8 touches
# what it committed and malloc keeps more of the native frames that die with it: steps, not a
# slope. Giving V8 its full young generation from the start takes that sizing out of what is
# measured as growth. The table soak.ts prints takes RSS apart (bench/RESULTS.md §4).
echo "== patched, V8's young generation at full size from the start (--min-semi-space-size=16)"
SOAK_FRAMES=$frames node --expose-gc --min-semi-space-size=16 --import tsx bench/soak.ts
echo "== patched, Node's defaults"
SOAK_FRAMES=$frames node --expose-gc --import tsx bench/soak.ts
echo "== unpatched"
SOAK_FRAMES=$frames BEAMFLOW_BEAMCODER_ADDON="$PWD/$dir/package/build/Release/beamcoder.node" node --expose-gc --import tsx bench/soak.ts
