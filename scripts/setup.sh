#!/usr/bin/env bash
# Creates the two Python environments when they are missing or stale and installs the pinned
# dependencies into them. Safe to run again: an environment whose lock file did not change is left as is.
#   .venv-app   current Python (>= 3.10): actions/, connectors/, tests, tooling (uv comes from here)
#   .venv-rasa  Python 3.10: rasa 3.6 + underthesea + bot/ (Rasa 3.6 does not run on 3.11+)
# Overrides: APP_PYTHON, RASA_PYTHON (interpreter paths), APP_VENV, RASA_VENV (environment folders).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
APP_VENV="${APP_VENV:-$ROOT/.venv-app}"
RASA_VENV="${RASA_VENV:-$ROOT/.venv-rasa}"
APP_LOCK="$ROOT/requirements/app.lock.txt"
RASA_LOCK="$ROOT/requirements/rasa.lock.txt"

say() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

# Prints the first interpreter that really is the wanted version (pyenv shims exist for versions
# that are installed but not selected, and fail when run, so every candidate is executed).
is_python() {  # is_python CMD MAJOR.MINOR [min]
  local v
  v="$("$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" || return 1
  if [ "${3:-}" = min ]; then
    [ "$(printf '%s\n%s\n' "$2" "$v" | sort -V | head -n1)" = "$2" ]
  else
    [ "$v" = "$2" ]
  fi
}

find_python310() {
  local c candidates=()
  [ -n "${RASA_PYTHON:-}" ] && candidates+=("$RASA_PYTHON")
  candidates+=(python3.10)
  local pyenv_root="${PYENV_ROOT:-}"
  [ -z "$pyenv_root" ] && command -v pyenv >/dev/null 2>&1 && pyenv_root="$(pyenv root)"
  [ -z "$pyenv_root" ] && pyenv_root="$HOME/.pyenv"
  if [ -d "$pyenv_root/versions" ]; then
    # newest 3.10.x first
    while IFS= read -r d; do candidates+=("$d/bin/python3.10"); done \
      < <(find "$pyenv_root/versions" -maxdepth 1 -name '3.10*' 2>/dev/null | sort -rV)
  fi
  candidates+=(/usr/local/bin/python3.10 /usr/bin/python3.10)
  for c in "${candidates[@]}"; do
    if is_python "$c" 3.10; then command -v "$c" 2>/dev/null || echo "$c"; return 0; fi
  done
  return 1
}

find_app_python() {
  local c
  for c in ${APP_PYTHON:-} python3 python3.13 python3.12 python3.11 python3.10; do
    if is_python "$c" 3.10 min; then command -v "$c"; return 0; fi
  done
  return 1
}

# A stamp inside the environment records which lock file it was built from.
stamp_of() { { cat "$1"; "$2" -c 'import sys; print(sys.version)'; } | sha256sum | cut -c1-16; }

ensure_app_env() {
  local py uv_pin
  if [ ! -x "$APP_VENV/bin/python" ]; then
    py="$(find_app_python)" || die "no Python >= 3.10 found (set APP_PYTHON to one)"
    say "creating $APP_VENV with $py"
    "$py" -m venv "$APP_VENV"
  fi
  if [ ! -x "$APP_VENV/bin/uv" ]; then
    uv_pin="$(grep -E '^uv==' "$APP_LOCK")"
    say "installing $uv_pin (the installer for both environments)"
    "$APP_VENV/bin/python" -m pip install -q "$uv_pin"
  fi
  local want; want="$(stamp_of "$APP_LOCK" "$APP_VENV/bin/python")"
  if [ "$(cat "$APP_VENV/.lock-stamp" 2>/dev/null)" != "$want" ]; then
    say "installing app dependencies from ${APP_LOCK#$ROOT/}"
    "$APP_VENV/bin/uv" pip sync -q -p "$APP_VENV/bin/python" "$APP_LOCK"
    echo "$want" > "$APP_VENV/.lock-stamp"
    rm -f "$APP_VENV/.project-stamp"  # sync removed the project itself
  fi
  # the project, editable, for its console scripts (`replay`)
  want="$(sha256sum "$ROOT/pyproject.toml" | cut -c1-16)"
  if [ "$(cat "$APP_VENV/.project-stamp" 2>/dev/null)" != "$want" ]; then
    "$APP_VENV/bin/uv" pip install -q --no-deps -p "$APP_VENV/bin/python" -e "$ROOT"
    echo "$want" > "$APP_VENV/.project-stamp"
  fi
}

ensure_rasa_env() {
  local py
  if [ ! -x "$RASA_VENV/bin/python" ]; then
    py="$(find_python310)" || die "Python 3.10 is required for Rasa 3.6 and none was found.
  Looked for: \$RASA_PYTHON, python3.10 on PATH, pyenv's versions folder, /usr/bin/python3.10.
  Install it (for example 'pyenv install 3.10') or set RASA_PYTHON=/path/to/python3.10."
    say "creating $RASA_VENV with $py"
    "$APP_VENV/bin/uv" venv -q -p "$py" "$RASA_VENV"
  fi
  local want; want="$(stamp_of "$RASA_LOCK" "$RASA_VENV/bin/python")"
  if [ "$(cat "$RASA_VENV/.lock-stamp" 2>/dev/null)" != "$want" ]; then
    say "installing Rasa dependencies from ${RASA_LOCK#$ROOT/} (about 2.7 GB the first time)"
    "$APP_VENV/bin/uv" pip sync -q -p "$RASA_VENV/bin/python" "$RASA_LOCK"
    echo "$want" > "$RASA_VENV/.lock-stamp"
  fi
}

# The browser tests drive Debian's chromium with playwright-core (npm), never a downloaded browser.
# Neither stops `make run`: without them only tests/browser and tests/security/test_chat_xss.py fail,
# each with a message naming what is missing.
BROWSER_DIR="$ROOT/tests/browser"
ensure_browser() {
  local install=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq
                 -o DPkg::Lock::Timeout=300 --no-install-recommends chromium)
  if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      say "installing Debian's chromium for the browser tests (apt-get)"
      # the package lists may be missing on a fresh machine: refresh them only when needed
      "${install[@]}" >/dev/null 2>&1 \
        || { apt-get update -qq >/dev/null && "${install[@]}" >/dev/null; } \
        || say "NOTICE: 'apt-get install chromium' failed: the browser tests will fail without it"
    else
      say "NOTICE: /usr/bin/chromium is missing and only root can apt-get it: the browser tests" \
        "need 'apt-get install chromium'"
    fi
  fi
  npm_ci "$BROWSER_DIR" "playwright-core (no browser download)" "the browser tests" \
    env PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
}

# `npm ci` in DIR from its package-lock.json, again only when the lock file or Node.js changed.
# npm_ci DIR WHAT WHO_NEEDS_IT [command prefix...]
npm_ci() {
  local dir="$1" what="$2" who="$3"; shift 3
  if ! command -v npm >/dev/null 2>&1; then
    say "NOTICE: npm is missing: $who need Node.js >= 20 and npm"
    return 0
  fi
  local want; want="$({ cat "$dir/package-lock.json"; node --version; } | sha256sum | cut -c1-16)"
  if [ "$(cat "$dir/node_modules/.lock-stamp" 2>/dev/null)" != "$want" ]; then
    say "installing $what from ${dir#$ROOT/}/package-lock.json"
    if (cd "$dir" && "$@" npm ci --silent --no-audit --no-fund --ignore-scripts); then
      echo "$want" > "$dir/node_modules/.lock-stamp"
    else
      say "NOTICE: 'npm ci' in ${dir#$ROOT/} failed: $who will fail without it"
    fi
  fi
}

# The citizen web chat (web/, served by the Rasa server at /chat/) takes its socket.io client from
# npm, served from this machine, never from a CDN. Without it the page loads but cannot connect.
WEB_DIR="$ROOT/web"
ensure_web() {
  npm_ci "$WEB_DIR" "the web chat's socket.io client" "the web chat page's socket"
}

# tests/deploy checks deploy/nginx/nginx.conf with Debian's nginx (`nginx -t`, and a real nginx
# routing to stand-ins). Unpacked from the package into var/tools/nginx when none is installed: no
# service is started, no root needed. Without it only tests/deploy/test_deploy_nginx.py is skipped.
NGINX_DIR="$ROOT/var/tools/nginx"
ensure_nginx() {
  if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || [ -x "$NGINX_DIR/usr/sbin/nginx" ]; then
    return 0
  fi
  local debs; debs="$(mktemp -d)"
  if command -v apt-get >/dev/null 2>&1 \
    && (cd "$debs" && apt-get download -qq nginx >/dev/null 2>&1) \
    && mkdir -p "$NGINX_DIR" && dpkg-deb -x "$debs"/nginx_*.deb "$NGINX_DIR"; then
    say "unpacked Debian's nginx into ${NGINX_DIR#$ROOT/} (checks deploy/nginx/nginx.conf)"
  else
    say "NOTICE: no nginx (Debian: apt-get install nginx): tests/deploy skips the nginx checks"
  fi
  rm -rf "$debs"
}

ensure_app_env
ensure_rasa_env
ensure_browser
ensure_web
ensure_nginx
