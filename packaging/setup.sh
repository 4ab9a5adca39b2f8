#!/usr/bin/env bash
# Installs what Harken needs on a Debian/Ubuntu machine: Debian packages (when run as
# root or with sudo) and a virtual environment in .venv with Harken in it.
#   packaging/setup.sh          for using Harken
#   packaging/setup.sh --dev    also what the tests need (virtual screen, tray host,
#                               PulseAudio, voices, sandbox), the test tools, and the
#                               multilingual Whisper model (so its test runs too)
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
[ "${1:-}" = "--dev" ] && dev=1

# What Harken itself uses: ripgrep (fast Grep), bubblewrap (sandboxed commands),
# PortAudio (microphone), espeak-ng (spoken replies), and the X11 libraries Qt needs.
packages=(ripgrep bubblewrap git libportaudio2 libasound2-plugins espeak-ng libespeak-ng1
  libxcb-cursor0 libegl1 libgl1 libxkbcommon-x11-0 libdbus-1-3 libfontconfig1 libxcb-icccm4
  libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-render-util0
  libxcb-image0)
# What the tests add: a virtual screen with a tray host, key presses, screenshots, a
# PulseAudio virtual microphone, sound tools, and the desktop-file validators.
dev_packages=(xvfb trayer xdotool imagemagick pulseaudio pulseaudio-utils sox dbus-x11
  desktop-file-utils appstream libglib2.0-bin dbus-daemon)
[ $dev = 1 ] && packages+=("${dev_packages[@]}")

missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo"; else sudo="-"; fi
  if [ "$sudo" = "-" ]; then
    echo "setup: not root and no sudo: skipping Debian packages (${missing[*]})" >&2
  else
    echo "setup: installing ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "setup: Harken needs Python 3.11 or newer (found: $("$python" --version 2>&1))" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
extra=""
[ $dev = 1 ] && extra="[test,multilingual,telemetry,natural-voice]"
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".${extra}"
