#!/usr/bin/env bash
# make pi-check: install and run edge-trainer on 64-bit Raspberry Pi OS's base (Debian
# bookworm arm64) under qemu-user emulation, and compare its results with this machine's.
#
# 1. A Debian bookworm arm64 root is made once with debootstrap and kept in the cache.
# 2. This checkout's files go into it; deploy/install.sh --test runs there (the real apt and
#    pip steps, the service user, config and model provisioning; no service start).
# 3. edge-trainer doctor runs there as the service user.
# 4. Two short clips are made here: two reps cut from a real squat video and a 60-frame
#    synthetic squat clip. Both go through 'edge-trainer analyze' and the pose stage on
#    arm64 and on this machine; the counts must be equal and the landmarks close.
# Emulated code runs far slower than native, so the clips are kept short.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: deploy/pi-check.sh [--rebuild-root] [--reuse-install] [--clips LIST] [--video FILE]

Options:
  --rebuild-root   make the arm64 root again instead of reusing the cached one
  --reuse-install  keep the last run's install in the root (no install.sh): doctor and
                   the comparison only, for working on them
  --clips LIST     clips to compare, of real_squat,synthetic_squat (default both)
  --video FILE     the squat video to cut the real clip from
                   (default: ../shared/data/videos/yuyoujiang_test_video__squat.mp4)

Environment:
  PI_CHECK_CACHE   cache folder for the root and downloads (default /var/cache/edge-trainer-pi-check)
  PI_CHECK_MIRROR  Debian mirror for debootstrap (default http://deb.debian.org/debian)
  PI_CHECK_VIDEO   the squat video, as --video
  VENV             this machine's edge-trainer venv (default .venv)
EOF
}

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source_dir=$(dirname "$script_dir")
cache=${PI_CHECK_CACHE:-/var/cache/edge-trainer-pi-check}
mirror=${PI_CHECK_MIRROR:-http://deb.debian.org/debian}
venv=${VENV:-$source_dir/.venv}
video=${PI_CHECK_VIDEO:-$(dirname "$source_dir")/shared/data/videos/yuyoujiang_test_video__squat.mp4}
rebuild=0
reuse=0
clips=(real_squat synthetic_squat)

while [ $# -gt 0 ]; do
  case "$1" in
    --rebuild-root) rebuild=1; shift ;;
    --reuse-install) reuse=1; shift ;;
    --clips) IFS=, read -r -a clips <<<"${2:?}"; shift 2 ;;
    --video) video=${2:?}; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "pi-check: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

if [ "$(id -u)" -ne 0 ]; then
  echo "pi-check: needs root (debootstrap, chroot and mounts); run it with sudo" >&2
  exit 2
fi
if [ ! -f "$video" ]; then
  echo "pi-check: no squat video at '$video'; give one with --video" >&2
  exit 2
fi
if [ ! -x "$venv/bin/edge-trainer" ]; then
  echo "pi-check: no edge-trainer in '$venv'; run 'make models' first" >&2
  exit 2
fi

root=$cache/bookworm-arm64
stamp=$root/.pi-check-root
say() { printf '==> %s\n' "$*"; }
started=$SECONDS
step_started=$SECONDS
current=""
timings=()
# Note how long the step that just ended took, and announce the next one.
step() {
  [ -z "$current" ] || timings+=("$(printf '%-40s %5d s' "$current" $((SECONDS - step_started)))")
  current=$1
  step_started=$SECONDS
  say "$1"
}

# qemu-user 7.2 (Debian bookworm's) crashes inside LiteRT 2.x (SIGSEGV while XNNPACK sets
# up a model; LiteRT 2.0 and older run); qemu 10 (bookworm-backports, trixie) runs it.
QEMU_MIN=8
qemu_major() {
  local v
  v=$(qemu-aarch64-static --version 2>/dev/null | sed -n 's/^qemu-aarch64 version \([0-9]*\).*/\1/p')
  echo "${v:-0}"
}

step "host: qemu-user and binfmt_misc"
"$script_dir/ensure-apt.sh" qemu-user-static debootstrap binfmt-support
if [ "$(qemu_major)" -lt "$QEMU_MIN" ]; then
  # shellcheck source=/dev/null
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  say "qemu-user $(qemu_major) is too old (LiteRT crashes under it): installing ${codename}-backports' qemu"
  if ! grep -rqs "${codename}-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    echo "deb http://deb.debian.org/debian ${codename}-backports main" \
      >"/etc/apt/sources.list.d/${codename}-backports.list"
  fi
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q -t "${codename}-backports" qemu-user-static
  if [ "$(qemu_major)" -lt "$QEMU_MIN" ]; then
    echo "pi-check: needs qemu-user $QEMU_MIN or newer, found $(qemu_major)" >&2
    exit 1
  fi
fi
if ! mountpoint -q /proc/sys/fs/binfmt_misc; then
  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
fi
if ! grep -qs '^enabled' /proc/sys/fs/binfmt_misc/qemu-aarch64; then
  update-binfmts --enable qemu-aarch64
fi

step "arm64 root (Debian bookworm)"
if [ "$rebuild" -eq 1 ] || [ ! -f "$stamp" ]; then
  rm -rf "$root" "$root.new"
  mkdir -p "$cache"
  debootstrap --arch=arm64 --variant=minbase --include=ca-certificates bookworm "$root.new" "$mirror"
  mv "$root.new" "$root"
  date -u +%FT%TZ >"$stamp"
else
  say "reusing $root (made $(cat "$stamp"); --rebuild-root makes it again)"
fi

mounted=()
cleanup() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount -l "${mounted[$i]}" 2>/dev/null || true
  done
}
trap cleanup EXIT
bind() {
  mkdir -p "$2"
  mount --bind "$1" "$2"
  mounted+=("$2")
}
mount -t proc proc "$root/proc" && mounted+=("$root/proc")
mount -t sysfs sysfs "$root/sys" && mounted+=("$root/sys")
bind /dev "$root/dev"
bind /dev/pts "$root/dev/pts"
# Downloads are kept between runs: apt's packages and pip's wheels.
mkdir -p "$cache/apt-archives/partial" "$cache/pip"
bind "$cache/apt-archives" "$root/var/cache/apt/archives"
bind "$cache/pip" "$root/var/cache/pip-check"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# Trust what this machine trusts (a proxy that inspects TLS has its own CA).
if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
fi

# The emulated CPU is a Pi 4's (Cortex-A72, Armv8.0): a wheel that needs a newer core fails.
in_root() {
  chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive PIP_CACHE_DIR=/var/cache/pip-check \
    QEMU_CPU=cortex-a72 "$@"
}
as_service() { in_root runuser -u edge-trainer -- "$@"; }

# binfmt_misc keeps running the qemu binary it opened when it was registered (flag F): after
# an upgrade it must be registered again. qemu 8 and newer show the emulated CPU in
# /proc/cpuinfo; an older one shows this machine's.
if ! in_root grep -q '^CPU part' /proc/cpuinfo; then
  say "re-registering qemu-aarch64 with binfmt_misc (the one registered is older)"
  update-binfmts --disable qemu-aarch64
  update-binfmts --enable qemu-aarch64
  if ! in_root grep -q '^CPU part' /proc/cpuinfo; then
    echo "pi-check: binfmt_misc still runs a qemu-aarch64 older than $QEMU_MIN" >&2
    exit 1
  fi
fi
in_root update-ca-certificates >/dev/null 2>&1

step "copy this checkout into the root"
if [ "$reuse" -eq 1 ] && [ ! -x "$root/opt/edge-trainer/venv/bin/edge-trainer" ]; then
  echo "pi-check: --reuse-install, but the root has no install yet" >&2
  exit 2
fi
# A fresh install every run: the package, config, state and models; apt's packages stay.
[ "$reuse" -eq 1 ] || rm -rf "$root/opt/edge-trainer" "$root/etc/edge-trainer" "$root/var/lib/edge-trainer"
rm -rf "$root/src" "$root/tmp/pi-check"
mkdir -p "$root/src/edge-trainer"
git -C "$source_dir" ls-files -z --cached --others --exclude-standard \
  | tar -C "$source_dir" --null --ignore-failed-read -T - -cf - \
  | tar -C "$root/src/edge-trainer" -xf -

step "deploy/install.sh --test (arm64)"
# The llm extra builds llama.cpp from source: hours under emulation (see README).
if [ "$reuse" -eq 0 ]; then
  in_root bash /src/edge-trainer/deploy/install.sh --test --extras pi
else
  say "reusing the last install (--reuse-install)"
fi

step "edge-trainer doctor (arm64)"
work=$(mktemp -d)
# Exit 1 is expected: a chroot has no camera, OLED, GPIO or sound card. compare judges
# the checks an emulated root can pass.
as_service /opt/edge-trainer/venv/bin/edge-trainer doctor --config /etc/edge-trainer/config.toml || true
as_service /opt/edge-trainer/venv/bin/edge-trainer doctor --json \
  --config /etc/edge-trainer/config.toml >"$work/doctor.json" || true

step "clips (made here, never kept)"
"$venv/bin/python" "$script_dir/pi_check_clips.py" make "$work/clips" --video "$video"
mkdir -p "$work/x86_64" "$root/tmp/pi-check/clips" "$root/tmp/pi-check/arm64"
cp "$work/clips/"*.mp4 "$root/tmp/pi-check/clips/"
chmod -R a+rwX "$root/tmp/pi-check"

step "analyze + pose stage (x86-64, here)"
host_models=$("$venv/bin/python" -c 'from edge_trainer.config import Config; print(Config().paths.models_dir)')
for clip in "${clips[@]}"; do
  "$venv/bin/edge-trainer" analyze --json "$work/clips/$clip.mp4" >"$work/x86_64/$clip.json"
  "$venv/bin/python" "$script_dir/pi_check_clips.py" landmarks "$work/clips/$clip.mp4" \
    "$work/x86_64/$clip.npy" --models "$host_models"
done

step "analyze + pose stage (arm64, emulated)"
# The installed config with one pose thread: more threads only spin under emulation here.
sed 's/^threads = .*/threads = 1/' "$root/etc/edge-trainer/config.toml" >"$root/tmp/pi-check/config.toml"
for clip in "${clips[@]}"; do
  as_service /opt/edge-trainer/venv/bin/edge-trainer analyze --json \
    --config /tmp/pi-check/config.toml "/tmp/pi-check/clips/$clip.mp4" \
    >"$root/tmp/pi-check/arm64/$clip.json"
  as_service /opt/edge-trainer/venv/bin/python /src/edge-trainer/deploy/pi_check_clips.py \
    landmarks "/tmp/pi-check/clips/$clip.mp4" "/tmp/pi-check/arm64/$clip.npy" \
    --models /var/lib/edge-trainer/models
done

step "compare"
status=0
"$venv/bin/python" "$script_dir/pi_check_clips.py" compare "$work/x86_64" "$root/tmp/pi-check/arm64" \
  --doctor "$work/doctor.json" || status=$?
step "done"
printf '%s\n' "${timings[@]}"
printf '%-40s %5d s\n' "total" $((SECONDS - started))
rm -rf "$work"
if [ "$status" -ne 0 ]; then
  echo "pi-check: FAILED (see above)" >&2
  exit 1
fi
say "pi-check passed: arm64 installs, passes doctor's checks and counts as x86-64 does"
