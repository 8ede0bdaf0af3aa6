#!/usr/bin/env bash
# Builds bench/gpu/bundle/ (git-ignored), what bench/gpu/run.sh needs on a GPU machine that
# reaches no network, carried there as one path (the device tool's `carry`, 64 MiB with the
# working tree):
#   deno.xz   this Deno binary, xz -9 (about 30 MB of 96); run.sh undoes it with xz, or with
#             python3's own lzma module where xz is missing (zstd and gzip bundles also work);
#   gl/*.deb  the Vulkan loader and GL dispatch libraries (amd64), unpacked there only where the
#             machine has no libvulkan.so.1 (the device README's recipe).
# No npm package is needed: what run.sh runs imports none (checked with an empty DENO_DIR).
#
#   bench/gpu/prepare.sh [--gzip]    # --gzip: faster to build, about 45 MB
set -euo pipefail
cd "$(dirname "$0")/../.."
out=bench/gpu/bundle
mkdir -p "$out/gl"
[[ $(uname -m) == x86_64 ]] || { echo "the GPU machine is x86-64: prepare the bundle on x86-64" >&2; exit 1; }
deno_bin=$(readlink -f "$(command -v deno)")
packed=$out/deno.xz
[[ ${1:-} == --gzip ]] && packed=$out/deno.gz
if [[ ! -s $packed || $deno_bin -nt $packed ]]; then
  rm -f "$out"/deno.xz "$out"/deno.gz "$out"/deno.zst
  echo "compressing $deno_bin ($(du -h "$deno_bin" | cut -f1)) to $packed"
  case $packed in
    *.xz) xz -9 -T0 -c "$deno_bin" >"$packed.tmp" ;;
    *.gz) gzip -9 -c "$deno_bin" >"$packed.tmp" ;;
  esac
  mv "$packed.tmp" "$packed"
fi
"$deno_bin" --version | head -1 >"$out/deno.version"

# The loader packages, for amd64 whatever this machine's own architecture, without touching its
# apt state.
lists=/tmp/gpu-bench-apt-lists
mkdir -p "$lists/partial"
o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 "-oDir::State::Lists=$lists")
if ! ls "$out"/gl/libvulkan1_*.deb >/dev/null 2>&1; then
  apt-get "${o[@]}" update -qq
  (cd "$out/gl" && apt-get "${o[@]}" download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
fi

tree_bytes=$(git ls-files -z | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)
bundle_bytes=$(du -sb "$out" | cut -f1)
echo "bundle: $(du -sh "$out" | cut -f1) ($(ls "$out" "$out/gl" | grep -c .) files); tracked tree: $((tree_bytes / 1048576)) MiB; both: $(((tree_bytes + bundle_bytes) / 1048576)) of 64 MiB"
if ((tree_bytes + bundle_bytes > 64 * 1048576)); then
  echo "over the device tool's 64 MiB: try --gzip off, or remove untracked files" >&2
  exit 1
fi
