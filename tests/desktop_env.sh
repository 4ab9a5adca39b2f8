# Sourced by tests/run.sh: starts what the tests need and exports where to find it.
#   a virtual screen (Xvfb) with a tray host (trayer)        -> DISPLAY, HARKEN_TEST_DISPLAY=1
#   PulseAudio with a null sink "virtmic" as the default mic -> HARKEN_TEST_AUDIO=1
# Each part starts only where its programs are installed; tests that need a part skip
# with a reason when it is missing. Everything started here is stopped on exit.
harken_test_pids=()
harken_stop_env() {
  for pid in "${harken_test_pids[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  if [ -n "${PULSE_STARTED:-}" ]; then pulseaudio --kill 2>/dev/null || true; fi
}
trap harken_stop_env EXIT

export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
chmod 700 "$XDG_RUNTIME_DIR"

if command -v Xvfb >/dev/null 2>&1; then
  # -displayfd: Xvfb picks a free display itself and writes its number once it is ready,
  # so two test runs on one machine never share (or type into) the same screen.
  display_file=$(mktemp)
  Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$display_file" >/dev/null 2>&1 &
  harken_test_pids+=($!)
  for _ in $(seq 100); do [ -s "$display_file" ] && break; sleep 0.05; done
  export DISPLAY=:$(tr -d '[:space:]' <"$display_file")
  rm -f "$display_file"
  if command -v trayer >/dev/null 2>&1; then
    trayer --edge top --align right --widthtype request --height 24 >/dev/null 2>&1 &
    harken_test_pids+=($!)
  fi
  export HARKEN_TEST_DISPLAY=1
fi

if command -v pulseaudio >/dev/null 2>&1; then
  if pulseaudio -D --exit-idle-time=-1 -n --load=module-native-protocol-unix \
      --load="module-null-sink sink_name=virtmic" --load=module-always-sink 2>/dev/null; then
    PULSE_STARTED=1
    for _ in $(seq 50); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
    pactl set-default-source virtmic.monitor && export HARKEN_TEST_AUDIO=1
  fi
fi
