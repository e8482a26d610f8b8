#!/usr/bin/env bash
# Install or upgrade edge-trainer on Raspberry Pi OS Bookworm/Trixie (64-bit).
#
# Idempotent: every step checks first and does only what is missing, so running it again
# upgrades the package and leaves the owner's config alone. --dry-run prints the plan.
# DESTDIR=/some/root installs the files under that root and skips every step that would
# change the running system (packages, interfaces, users, services); tests use it.
# --test installs for real on a Debian root without a running systemd (make pi-check's
# emulated arm64 root): every step but starting the service.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: [DESTDIR=ROOT] deploy/install.sh [OPTIONS]

Options:
  --dry-run          print what would be done, change nothing
  --source DIR       edge-trainer source tree (default: this script's checkout)
  --prefix DIR       install prefix (default /opt/edge-trainer; the venv is PREFIX/venv)
  --extras LIST      pip extras (default pi,llm)
  --skip STEPS       comma-separated steps to skip:
                     apt,interfaces,user,files,config,venv,models,service
  --force            install on an OS or CPU this script does not know
  --test             a test root (Debian without a running systemd): install for real,
                     start nothing, and skip the Raspberry Pi OS packages Debian lacks
  -h, --help         this help

Environment:
  DESTDIR            install under this root; skips apt, interfaces, user, models, service
  PYTHON             interpreter for the venv (default python3)
  PIP_INSTALL_ARGS   extra arguments for pip install (e.g. --no-deps --no-index)
EOF
}

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source_dir=$(dirname "$script_dir")
prefix=/opt/edge-trainer
extras=pi,llm
dry_run=0
force=0
test_mode=0
skip=","
destdir=${DESTDIR:-}
python=${PYTHON:-python3}
read -r -a pip_extra <<<"${PIP_INSTALL_ARGS:-}"

APT_PACKAGES=(
  python3-venv python3-pip python3-dev build-essential cmake # venv; llama-cpp-python builds
  espeak-ng libespeak-ng1                                    # speech
  i2c-tools                                                  # OLED bus checks
  alsa-utils                                                 # speaker checks and mixer
)
# From Raspberry Pi OS's own archive (Debian bookworm has none of them).
APT_PI_PACKAGES=(
  python3-picamera2 python3-libcamera libcamera-apps-lite    # Pi camera (apt only)
  python3-lgpio                                              # buttons on Pi 5 and 4
)

while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) dry_run=1; shift ;;
    --source) source_dir=$(cd "${2:?}" && pwd); shift 2 ;;
    --prefix) prefix=${2:?}; shift 2 ;;
    --extras) extras=${2?}; shift 2 ;;
    --skip) skip+="${2:?},"; shift 2 ;;
    --force) force=1; shift ;;
    --test) test_mode=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "install.sh: unknown argument '$1' (see --help)" >&2; exit 1 ;;
  esac
done
if [ -n "$destdir" ]; then
  destdir=$(mkdir -p "$destdir" && cd "$destdir" && pwd)
  skip+="apt,interfaces,user,models,service,"
fi

skipped() { [[ "$skip" == *",$1,"* ]]; }
say() { printf '==> %s\n' "$*"; }
# Run a command, or only show it with --dry-run.
run() {
  if [ "$dry_run" -eq 1 ]; then
    printf 'would run: %s\n' "$*"
  else
    printf '+ %s\n' "$*"
    "$@"
  fi
}
as_root() {
  if [ "$(id -u)" -eq 0 ]; then run "$@"; else run sudo "$@"; fi
}

if [ ! -f "$source_dir/pyproject.toml" ] || [ ! -d "$source_dir/edge_trainer" ]; then
  echo "install.sh: '$source_dir' is not an edge-trainer source tree" >&2
  exit 1
fi

venv=$prefix/venv
etc=$destdir/etc/edge-trainer
config=$etc/config.toml
unit_src=$source_dir/systemd/edge-trainer.service
changed=0

check_os() {
  local codename="" arch
  arch=$(uname -m)
  if [ -r /etc/os-release ]; then
    # shellcheck source=/dev/null
    codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  fi
  case "$codename" in
    bookworm | trixie) ;;
    *)
      if [ "$force" -eq 0 ] && [ -z "$destdir" ] && [ "$dry_run" -eq 0 ]; then
        echo "install.sh: made for Raspberry Pi OS Bookworm or Trixie, found '${codename:-unknown}';" \
          "use --force to continue anyway" >&2
        exit 1
      fi
      say "note: OS '${codename:-unknown}' is not Bookworm/Trixie"
      ;;
  esac
  if [ "$arch" != aarch64 ]; then
    say "note: CPU '$arch' is not aarch64 (64-bit Raspberry Pi OS is expected)"
  fi
}

# The Raspberry Pi OS packages to install: all of them, except in a --test root, where
# those its apt sources do not offer are named and left out.
pi_packages() {
  local pkg
  for pkg in "${APT_PI_PACKAGES[@]}"; do
    if [ "$test_mode" -eq 0 ] || apt-cache policy "$pkg" 2>/dev/null | grep -q '^ *Candidate: [^(]'; then
      echo "$pkg"
    else
      say "test root: skipping $pkg (only Raspberry Pi OS's archive has it)" >&2
    fi
  done
}

step_apt() {
  skipped apt && return 0
  say "system packages"
  if [ "$test_mode" -eq 1 ] && [ "$dry_run" -eq 0 ] && ! compgen -G '/var/lib/apt/lists/*_Packages' >/dev/null; then
    as_root apt-get update -q
  fi
  local -a packages=("${APT_PACKAGES[@]}")
  mapfile -t -O "${#packages[@]}" packages < <(pi_packages)
  if [ "$dry_run" -eq 1 ]; then
    printf 'would run: %s %s\n' "$script_dir/ensure-apt.sh" "${packages[*]}"
  else
    "$script_dir/ensure-apt.sh" "${packages[@]}"
  fi
}

step_interfaces() {
  skipped interfaces && return 0
  say "I2C and camera"
  if ! command -v raspi-config >/dev/null; then
    say "raspi-config not found: enable I2C yourself (dtparam=i2c_arm=on in config.txt)"
    return 0
  fi
  # raspi-config's getters print 0 when the interface is enabled.
  if [ "$(raspi-config nonint get_i2c)" != 0 ]; then
    as_root raspi-config nonint do_i2c 0
    say "I2C enabled; reboot once for /dev/i2c-1 to appear"
  fi
  local boot_config=/boot/firmware/config.txt
  [ -f "$boot_config" ] || boot_config=/boot/config.txt
  if [ -f "$boot_config" ] && ! grep -q '^camera_auto_detect=1' "$boot_config"; then
    say "warning: $boot_config lacks camera_auto_detect=1; add it (or the dtoverlay for" \
      "your sensor) so libcamera finds the camera"
  fi
}

step_user() {
  skipped user && return 0
  say "service user"
  if id edge-trainer >/dev/null 2>&1; then
    say "user edge-trainer exists"
  elif command -v systemd-sysusers >/dev/null; then
    as_root systemd-sysusers "$source_dir/systemd/edge-trainer.sysusers"
  else
    as_root useradd --system --home-dir /var/lib/edge-trainer --shell /usr/sbin/nologin \
      --user-group edge-trainer
  fi
  local group
  for group in video i2c gpio audio; do
    if getent group "$group" >/dev/null && ! id -nG edge-trainer 2>/dev/null | grep -qw "$group"; then
      as_root usermod -a -G "$group" edge-trainer
    fi
  done
}

# The folders the tmpfiles snippet names; by hand where systemd-tmpfiles is missing (a
# container or chroot), from the snippet's 'd PATH MODE USER GROUP' lines.
make_state_dirs() {
  local snippet=/usr/lib/tmpfiles.d/edge-trainer.conf kind path mode user group _age
  if command -v systemd-tmpfiles >/dev/null; then
    as_root systemd-tmpfiles --create "$snippet"
    return 0
  fi
  while read -r kind path mode user group _age; do
    [ "$kind" = d ] || continue
    as_root install -d -m "$mode" -o "$user" -g "$group" "$path"
  done < <(if [ "$dry_run" -eq 1 ]; then cat "$source_dir/systemd/edge-trainer.tmpfiles"; else cat "$snippet"; fi)
}

# Install a file only when its content differs; mode as for install(1).
put_file() {
  local src=$1 dest=$2 mode=$3
  if [ -f "$dest" ] && cmp -s "$src" "$dest"; then
    return 0
  fi
  run install -D -m "$mode" "$src" "$dest"
  changed=1
}

step_files() {
  skipped files && return 0
  say "systemd unit and system snippets"
  local tmp
  tmp=$(mktemp)
  # The unit names the default prefix; point it at this one.
  sed "s#/opt/edge-trainer/#$prefix/#g" "$unit_src" >"$tmp"
  put_file "$tmp" "$destdir/etc/systemd/system/edge-trainer.service" 644
  rm -f "$tmp"
  put_file "$source_dir/systemd/edge-trainer.sysusers" "$destdir/usr/lib/sysusers.d/edge-trainer.conf" 644
  put_file "$source_dir/systemd/edge-trainer.tmpfiles" "$destdir/usr/lib/tmpfiles.d/edge-trainer.conf" 644
  if [ -z "$destdir" ] && { ! skipped service || [ "$test_mode" -eq 1 ]; }; then
    make_state_dirs
  fi
  if [ -d "$source_dir/models" ]; then
    say "shipped models -> $destdir$prefix/models"
    if [ "$dry_run" -eq 1 ]; then
      printf 'would copy: %s -> %s\n' "$source_dir/models" "$destdir$prefix/models"
    else
      mkdir -p "$destdir$prefix"
      rm -rf "$destdir$prefix/models.new"
      cp -a "$source_dir/models" "$destdir$prefix/models.new"
      # Cross-validation fold models are for `make eval` on a workstation, not the box.
      rm -rf "$destdir$prefix"/models.new/*/folds
      rm -rf "$destdir$prefix/models"
      mv "$destdir$prefix/models.new" "$destdir$prefix/models"
    fi
  fi
}

step_config() {
  skipped config && return 0
  say "config"
  if [ -f "$config" ]; then
    say "keeping existing $config"
    return 0
  fi
  if [ "$dry_run" -eq 1 ]; then
    printf 'would write: %s\n' "$config"
    return 0
  fi
  mkdir -p "$etc"
  # Pose speed by board (hardware/README.md, "Pose speed on a Pi"): a Pi 5 keeps up with a
  # 30 fps camera on 2 LiteRT threads; a Pi 4 manages about 15 fps on all 4 cores.
  local board="" pose_threads=4 camera_fps=15
  [ -r /proc/device-tree/model ] && board=$(tr -d '\0' </proc/device-tree/model)
  case "$board" in
    *"Raspberry Pi 5"*) pose_threads=2 camera_fps=30 ;;
  esac
  say "board: ${board:-unknown}; pose threads $pose_threads, camera $camera_fps fps"
  cat >"$config.new" <<EOF
# edge-trainer on a Raspberry Pi. \`edge-trainer config-reference\` lists every setting;
# \`edge-trainer check-config /etc/edge-trainer/config.toml\` checks this file.
# This file is yours: upgrades never overwrite it.

[camera]
source = "picamera2"
width = 640
height = 480
fps = $camera_fps

[pose]
threads = $pose_threads

[display]
kind = "ssd1306"
i2c_port = 1
i2c_address = 0x3C

[buttons]
kind = "gpio"
pin_a = 17
pin_b = 27
pin_c = 22

[speech]
kind = "speaker"

[paths]
state_dir = "/var/lib/edge-trainer"
models_dir = "/var/lib/edge-trainer/models"
output_dir = "/var/lib/edge-trainer/output"
EOF
  chmod 644 "$config.new"
  mv "$config.new" "$config"
  say "wrote $config"
}

source_stamp() {
  # A fingerprint of what pip would install, so an unchanged tree is not reinstalled.
  (
    cd "$source_dir"
    find pyproject.toml edge_trainer -type f \( -name '*.py' -o -name '*.toml' -o -name '*.json' \) \
      -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
    echo "extras=$extras"
  ) | sha256sum | cut -d' ' -f1
}

step_venv() {
  skipped venv && return 0
  say "python environment $destdir$venv"
  local vpy=$destdir$venv/bin/python stamp_file=$destdir$venv/.edge-trainer-source stamp
  if [ ! -x "$vpy" ]; then
    # --system-site-packages: apt's picamera2 and libcamera bindings must stay visible.
    run "$python" -m venv --system-site-packages "$destdir$venv"
    changed=1
  fi
  stamp=$(source_stamp)
  if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp" ]; then
    say "edge-trainer in $venv is up to date"
    return 0
  fi
  local spec=$source_dir
  [ -n "$extras" ] && spec="${source_dir}[${extras}]"
  run "$vpy" -m pip install --disable-pip-version-check -q "${pip_extra[@]}" "$spec"
  [ "$dry_run" -eq 1 ] || echo "$stamp" >"$stamp_file"
  changed=1
  if [ -f "$config" ] && [ "$dry_run" -eq 0 ]; then
    run "$destdir$venv/bin/edge-trainer" check-config "$config"
  fi
}

step_models() {
  skipped models && return 0
  say "models"
  local -a cmd=("$venv/bin/edge-trainer" models provision --config /etc/edge-trainer/config.toml)
  [ -d "$prefix/models" ] && cmd+=(--shipped "$prefix/models")
  if id edge-trainer >/dev/null 2>&1 && [ "$(id -un)" != edge-trainer ]; then
    as_root runuser -u edge-trainer -- "${cmd[@]}"
  else
    run "${cmd[@]}"
  fi
}

step_service() {
  if [ "$test_mode" -eq 1 ]; then
    say "test root: the service is not started (a box runs: systemctl enable --now edge-trainer)"
    return 0
  fi
  skipped service && return 0
  say "service"
  as_root systemctl daemon-reload
  if [ "$changed" -eq 1 ] && systemctl is-active --quiet edge-trainer 2>/dev/null; then
    as_root systemctl restart edge-trainer
  fi
  as_root systemctl enable --now edge-trainer
}

[ "$dry_run" -eq 1 ] && say "dry run: nothing will be changed"
[ -n "$destdir" ] && say "DESTDIR mode: installing under $destdir"
check_os
step_apt
step_interfaces
step_user
step_files
step_config
step_venv
step_models
step_service
say "done"
if [ -z "$destdir" ] && [ "$dry_run" -eq 0 ]; then
  say "check the box with: sudo -u edge-trainer $venv/bin/edge-trainer doctor --config $config"
fi
