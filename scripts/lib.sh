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
