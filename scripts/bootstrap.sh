#!/usr/bin/env bash
# Brings a fresh Debian 12 machine (Node 20, root) to the point where the
# workspace builds: FFmpeg 5.1's libraries and command-line tools, pnpm
# through corepack, the dependencies, the native addon (packages/beamcoder,
# built against those libraries) and the packages. Each step is skipped when done.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
pkgs_ffmpeg="libavcodec-dev libavformat-dev libavfilter-dev libavdevice-dev libswscale-dev libswresample-dev libpostproc-dev libavutil-dev"
if ! pkg-config --exists libavcodec libavformat libavfilter libavdevice libswscale libswresample libpostproc libavutil 2>/dev/null; then
  need_apt+=($pkgs_ffmpeg pkg-config)
fi
command -v ffprobe >/dev/null 2>&1 || need_apt+=(ffmpeg)
command -v make >/dev/null 2>&1 && command -v g++ >/dev/null 2>&1 && command -v python3 >/dev/null 2>&1 || need_apt+=(build-essential python3)
for extra in "$@"; do
  case "$extra" in
    nginx-rtmp) [ -f /usr/lib/nginx/modules/ngx_rtmp_module.so ] || need_apt+=(nginx-light libnginx-mod-rtmp) ;;
    # Vulkan on Mesa's software rasteriser: a real FFmpeg hardware device on a machine
    # without a GPU, for the tests of device frames (upload, download, decoder fallback).
    vulkan) ls /usr/share/vulkan/icd.d/lvp_icd.*.json >/dev/null 2>&1 || need_apt+=(mesa-vulkan-drivers) ;;
    # A real browser for the playback tests: Debian's build decodes H.264/AAC MP4 itself.
    chromium) command -v chromium >/dev/null || need_apt+=(chromium) ;;
    # A real Redis for @beamflow/cluster's tests (each test file starts its own on loopback),
    # and openssl to make the private CA and certificate of the TLS test's Redis.
    redis)
      command -v redis-server >/dev/null || need_apt+=(redis-server)
      command -v openssl >/dev/null || need_apt+=(openssl) ;;
  esac
done

if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "beamflow needs these Debian packages: ${need_apt[*]}" >&2
    echo "install them as root (apt-get install ${need_apt[*]}) and run this again" >&2
    exit 1
  fi
  echo "installing: ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# corepack 0.34 rejects the registry's current signing keys; the version is
# still pinned by packageManager in package.json.
export COREPACK_INTEGRITY_KEYS=0 COREPACK_ENABLE_DOWNLOAD_PROMPT=0
pnpm() { corepack pnpm "$@"; }

mkdir -p .stamps
if [ ! -f .stamps/install ] || [ pnpm-lock.yaml -nt .stamps/install ] || [ package.json -nt .stamps/install ] \
   || [ pnpm-workspace.yaml -nt .stamps/install ] || [ ! -d node_modules ]; then
  pnpm install --frozen-lockfile
  touch .stamps/install
fi

# The addon's own script rebuilds only when its sources, FFmpeg or the platform changed.
node packages/beamcoder/scripts/install.cjs

newest_src=$(find packages/*/src packages/*/package.json packages/*/tsup.config.ts -newer .stamps/build 2>/dev/null | head -1 || true)
if [ ! -f .stamps/build ] || [ -n "$newest_src" ] || [ .stamps/install -nt .stamps/build ]; then
  pnpm -r --filter './packages/**' run build
  touch .stamps/build
fi
