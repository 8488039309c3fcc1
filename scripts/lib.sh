# Shared by scripts/test, scripts/demo and bench/: install what is missing, on a fresh Debian
# machine too. Sourced, not run.

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/cache/tamar/target}"
mkdir -p "$CARGO_TARGET_DIR" 2>/dev/null || { export CARGO_TARGET_DIR="$HOME/.cache/tamar/target"; mkdir -p "$CARGO_TARGET_DIR"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=0
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "==> installing ${missing[*]}"
  if [ "$apt_updated" = 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# The fast linker that .cargo/config.toml names, and the C libraries that -sys crates link
# (OpenSSL, for webauthn-rs).
ensure_linker() {
  command -v clang >/dev/null && command -v mold >/dev/null || apt_install clang mold
  apt_install pkg-config libssl-dev
}

# Builds every fuzz target and runs each for FUZZ_SECONDS (20 by default). cargo-fuzz needs a
# nightly compiler's flags: nightly when rustup has one, else the stable compiler allowed them.
fuzz_smoke() {
  local seconds="${FUZZ_SECONDS:-20}"
  command -v cargo-fuzz >/dev/null || { echo "==> installing cargo-fuzz"; cargo install --locked cargo-fuzz; }
  local toolchain=()
  if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then toolchain=(+nightly); else export RUSTC_BOOTSTRAP=1; fi
  # Tamar is safe Rust: AddressSanitizer finds nothing that a panic does not already show, and
  # doubles the build. Coverage-guided fuzzing itself needs no sanitizer.
  local flags=(--dev --sanitizer none --fuzz-dir fuzz)
  echo "==> fuzz targets: build"
  local started=$SECONDS
  cargo "${toolchain[@]}" fuzz build "${flags[@]}"
  echo "    built in $((SECONDS - started)) s"
  local target
  for target in $(cargo "${toolchain[@]}" fuzz list --fuzz-dir fuzz); do
    local corpus="$CARGO_TARGET_DIR/fuzz-corpus/$target"
    mkdir -p "$corpus"
    local seeds=()
    [ -d "fuzz/corpus/$target" ] && seeds=("fuzz/corpus/$target")
    local log="$CARGO_TARGET_DIR/fuzz-corpus/$target.log"
    echo "==> fuzz $target (${seconds} s)"
    if ! cargo "${toolchain[@]}" fuzz run "${flags[@]}" "$target" "$corpus" "${seeds[@]}" -- \
      -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=4096 >"$log" 2>&1; then
      tail -n 60 "$log"
      echo "fuzz target $target failed; the input is in fuzz/artifacts/$target/"
      return 1
    fi
    grep -E '^stat::(number_of_executed_units|new_units_added)' "$log" | tr '\n' ' '; echo
  done
}
