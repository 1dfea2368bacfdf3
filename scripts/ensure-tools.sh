#!/usr/bin/env bash
# ensure-tools.sh — build/install the sandbox's tools into a per-user cache, keyed by
# version, rebuilding only what is missing. A second run takes seconds.
#
#   scripts/ensure-tools.sh                 # ensure everything, write tools.env
#   scripts/ensure-tools.sh --only vault    # just one tool (vault|minio|moto; repeatable)
#   scripts/ensure-tools.sh --check         # also smoke-test each tool on 127.0.0.1
#   scripts/ensure-tools.sh --print-env     # print tools.env (fails if it does not exist)
#
# Cache: ${XDG_CACHE_HOME:-$HOME/.cache}/vault-runbook/
#   bin/vault-<version>         Vault server (built with `go build` from the Go module proxy)
#   bin/minio-<release>         MinIO server (`go install`)
#   venv-moto-<version>/        Python venv with moto[server]
#   build/vault-<version>/      the wrapper module (go.mod/go.sum) each Vault was built from
#   logs/                       full build logs
#   tools.env                   KEY=path lines, shell-sourceable
#
# Environment knobs: VAULT_BIN (use this vault if its version matches), PYTHON (python for the
# moto venv, default python3), GOMODCACHE / GOCACHE (default: go's own), ENSURE_TOOLS_QUIET=1.
#
# ---------------------------------------------------------------------------------------------
# How Vault is built, and what was found (2026-11, go1.26.8, proxy.golang.org as served here):
#  * `go install github.com/hashicorp/vault@vX` fails (its go.mod has `replace` directives for
#    the nested modules api, sdk, api/auth/*), so a throw-away wrapper module `require`s vault
#    and builds package github.com/hashicorp/vault. Never `go mod tidy` it (no Go files: tidy
#    drops every requirement).
#  * In the wrapper the ./sdk and ./api replaces are ignored; the declared `sdk v0.9.2` and
#    `api v1.9.2` lack what the 1.14.x branch's own sdk/api have:
#      vault/ha.go:535:32: undefined: physical.FencingHABackend
#      physical/consul/consul.go:290:14: undefined: physical.IsUnfencedWrite
#      vault/request_handling.go:563:43: undefined: logical.CtxKeyRequestRole
#      vault/request_handling.go:567:22: undefined: logical.ContextOriginalBodyValue (+ Create…)
#      command/…: client.Sys().RaftAutopilotStateWithDRToken (api >= v1.10.0)
#  * shared/SANDBOX.md's fix (replace sdk/api with pseudo-versions at the tag's commit) cannot
#    work here: `go mod download -json …vault@v1.14.8 | jq .Origin.Hash` is `null` (the proxy's
#    v1.14.8.info has no Origin), and any commit/pseudo-version query for sdk or api answers
#    `403 Forbidden  server response: This module version is not available.` — only versions
#    the proxy already holds are served. v1.14.7 itself is not served either
#    (`reading …/vault/@v/v1.14.7.zip: 403 Forbidden`), so the older drill version is v1.14.6.
#  * No tagged sdk fits: v0.10.x/v0.11.x changed logical.EventSender (vault/eventbus does not
#    compile: "missing method SendEvent"). What works: sdk = tagged sdk/v0.9.2 copied into the
#    wrapper + the five symbols above copied from sdk/v0.11.0 (write_sdk_backport) + the
#    "defines a CreateOperation but no ExistenceCheck" panic switched off (it came to main after
#    the 1.14 branch cut; without the patch `vault server -dev` panics on its first request),
#    and api = tagged v1.10.0.
#  * Go >= 1.23: vault panics at start in gosnowflake ("failed to parse CA certificate":
#    negative x509 serials). Fixed with `godebug default=go1.20` in the wrapper's go.mod
#    (vault 1.14.x shipped built with go1.20.x).
#  * Verified: `vault version`, `server -dev` on 127.0.0.1, sys/health reports the version,
#    kv put/get, transit, userpass. The GOTOOLCHAIN=auto fallback (newer, BUSL Vault) is unused.
# ---------------------------------------------------------------------------------------------
set -euo pipefail

VAULT_VERSIONS=(1.14.8 1.14.6)          # first = the default VAULT_BIN; second = older, for drills
# MinIO: `go install github.com/minio/minio@RELEASE.2025-10-15T17-29-55Z` is refused here
# (`reading …/minio/@v/%21r%21e%21l%21e%21a%21s%21e.2025-10-15%21t17-29-55%21z.info: 403 Forbidden
#  server response: This module version is not available.`; the release tag is not semver, so
# it needs a pseudo-version query, and the proxy serves no query it does not already hold; the
# tag's pseudo-version v0.0.0-20251015172955-9e49d5e7a648 is refused the same way). The one
# version the proxy lists and serves is the module's last commit (2026-02-12), used instead.
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
MOTO_VERSION=5.2.5

# Per-Vault-version module set-up of the wrapper (see the comment at the top).
#   sdk:  "patched <tag>" = that tagged sdk copied into the wrapper plus write_sdk_backport
#   api:  a tagged api version (replace)
#   extra replaces, one per line
vault_sdk_base() { case "$1" in 1.14.*) echo v0.9.2 ;; *) echo "" ;; esac; }
vault_api_version() { case "$1" in 1.14.*) echo v1.10.0 ;; *) echo "" ;; esac; }
vault_extra_replaces() {
  case "$1" in
    1.13.*) echo "go.etcd.io/etcd/client/pkg/v3@v3.5.0=go.etcd.io/etcd/client/pkg/v3@v3.0.0-20210928084031-3df272774672" ;;
  esac
}

CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/vault-runbook"
BIN="$CACHE/bin"
LOGS="$CACHE/logs"
ENV_FILE="$CACHE/tools.env"

# ---------------------------------------------------------------------------------------------
ONLY=()
CHECK=0
PRINT_ENV=0
usage() { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --only) [[ $# -ge 2 ]] || { usage >&2; exit 2; }; ONLY+=("$2"); shift 2 ;;
    --only=*) ONLY+=("${1#--only=}"); shift ;;
    --check) CHECK=1; shift ;;
    --print-env) PRINT_ENV=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "ensure-tools: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
for t in "${ONLY[@]+"${ONLY[@]}"}"; do
  case "$t" in vault|minio|moto) ;; *) echo "ensure-tools: --only takes vault|minio|moto, not '$t'" >&2; exit 2 ;; esac
done

if [[ $PRINT_ENV -eq 1 ]]; then
  if [[ -f "$ENV_FILE" ]]; then cat "$ENV_FILE"; exit 0; fi
  echo "ensure-tools: $ENV_FILE does not exist yet; run scripts/ensure-tools.sh" >&2
  exit 1
fi

wanted() { # wanted TOOL -> true if TOOL is selected
  [[ ${#ONLY[@]} -eq 0 ]] && return 0
  local t; for t in "${ONLY[@]}"; do [[ "$t" == "$1" ]] && return 0; done
  return 1
}
say() { printf 'ensure-tools: %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }
elapsed() { local s=$(( $(date +%s) - $1 )); printf '%dm%02ds' $((s / 60)) $((s % 60)); }
log_tail() { say "last lines of $1:"; tail -n 25 "$1" | sed 's/^/    /' >&2; }

mkdir -p "$BIN" "$LOGS" "$CACHE/tmp" "$CACHE/build"

# One run at a time: builds take long and write into the same cache.
exec 9>"$CACHE/.lock"
if ! flock -n 9; then
  say "another ensure-tools run holds $CACHE/.lock; waiting for it ..."
  flock 9
fi

TMPDIRS=()
CHILD_PIDS=()
cleanup() {
  local p d
  for p in "${CHILD_PIDS[@]+"${CHILD_PIDS[@]}"}"; do kill "$p" 2>/dev/null || true; done
  for p in "${CHILD_PIDS[@]+"${CHILD_PIDS[@]}"}"; do wait "$p" 2>/dev/null || true; done
  for d in "${TMPDIRS[@]+"${TMPDIRS[@]}"}"; do rm -rf "$d"; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# mktmp NAME -> sets TMP (not echoed: a $(...) subshell would lose the TMPDIRS entry)
mktmp() { TMP=$(mktemp -d "$CACHE/tmp/$1.XXXXXX"); TMPDIRS+=("$TMP"); }
# Holding the lock, anything left in tmp/ is from a run that was killed.
rm -rf "${CACHE:?}/tmp" && mkdir -p "$CACHE/tmp"

need_go() {
  command -v go >/dev/null 2>&1 || die "go is not on PATH (needed to build $1)"
  export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod"
  export GOMODCACHE="${GOMODCACHE:-$(go env GOMODCACHE)}"
  export GOCACHE="${GOCACHE:-$(go env GOCACHE)}"
  export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
  export CGO_ENABLED=0
}

# ---------------------------------------------------------------------------------------------
# Vault
vault_version_of() { # prints "1.14.8" for a vault binary, empty if it does not run
  local out
  out=$("$1" version 2>/dev/null) || return 0
  out=${out#Vault v}
  echo "${out%% *}"
}

# The symbols the 1.14.x branch's sdk gained after sdk/v0.9.2 (backports that never got an sdk
# tag), copied verbatim from sdk/v0.11.0 (MPL-2.0) where they first appear in a tagged sdk.
write_sdk_backport() { # write_sdk_backport SDKDIR
  cat >"$1/physical/zz_backport_vault_1_14.go" <<'GO'
// Copyright (c) HashiCorp, Inc.
// SPDX-License-Identifier: MPL-2.0

// Backported from github.com/hashicorp/vault/sdk v0.11.0 by scripts/ensure-tools.sh: the
// vault v1.14.x release branch has these in its sdk, no tagged sdk <= v0.10 does.

package physical

import "context"

// FencingHABackend is an HABackend which provides the additional guarantee that
// each Lock it returns from LockWith is also a FencingLock.
type FencingHABackend interface {
	HABackend

	RegisterActiveNodeLock(l Lock) error
}

type unfencedWriteContextKeyType string

const unfencedWriteContextKey unfencedWriteContextKeyType = "vault-disable-fencing"

// UnfencedWriteCtx adds metadata to a ctx such that any writes performed
// directly on a FencingHABackend using that context will _not_ add a fencing
// token.
func UnfencedWriteCtx(ctx context.Context) context.Context {
	return context.WithValue(ctx, unfencedWriteContextKey, true)
}

// IsUnfencedWrite returns whether or not the context passed has the unfenced
// flag value set.
func IsUnfencedWrite(ctx context.Context) bool {
	isUnfenced, ok := ctx.Value(unfencedWriteContextKey).(bool)
	return ok && isUnfenced
}
GO
  cat >"$1/logical/zz_backport_vault_1_14.go" <<'GO'
// Copyright (c) HashiCorp, Inc.
// SPDX-License-Identifier: MPL-2.0

// Backported from github.com/hashicorp/vault/sdk v0.11.0 by scripts/ensure-tools.sh.

package logical

import (
	"context"
	"io"
)

type CtxKeyRequestRole struct{}

func (c CtxKeyRequestRole) String() string {
	return "request-role"
}

type ctxKeyOriginalBody struct{}

func ContextOriginalBodyValue(ctx context.Context) (io.ReadCloser, bool) {
	value, ok := ctx.Value(ctxKeyOriginalBody{}).(io.ReadCloser)
	return value, ok
}

func CreateContextOriginalBody(parent context.Context, body io.ReadCloser) context.Context {
	return context.WithValue(parent, ctxKeyOriginalBody{}, body)
}
GO
}

build_vault() { # build_vault VERSION OUT
  local v=$1 out=$2 tmp log
  mktmp "vault-$v"; tmp=$TMP
  log="$LOGS/vault-$v.log"
  : >"$log"
  (
    set -euo pipefail
    cd "$tmp"
    go mod init example.invalid/vaultbin
    go get "github.com/hashicorp/vault@v$v"
    sdk=$(vault_sdk_base "$v")
    if [[ -n "$sdk" ]]; then
      src=$(go mod download -json "github.com/hashicorp/vault/sdk@$sdk" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
      [[ -d "$src" ]] || { echo "no module dir for sdk@$sdk"; exit 1; }
      cp -R "$src" sdk && chmod -R u+w sdk
      write_sdk_backport sdk
      # sdk/v0.9.2 carries the "defines a CreateOperation but no ExistenceCheck" panic (vault
      # PR 18492, merged to main after the 1.14 branch cut); 1.14's system backend trips it on
      # the first request (managed-keys stub paths), so switch that sanity check off.
      f=sdk/framework/backend.go
      [[ $(grep -c 'if p.ExistenceCheck == nil {' "$f") == 1 ]] || { echo "sdk patch: pattern not found in $f"; exit 1; }
      sed -i 's|if p.ExistenceCheck == nil {|if false \&\& p.ExistenceCheck == nil { // patched by ensure-tools.sh|' "$f"
      go mod edit -replace=github.com/hashicorp/vault/sdk=./sdk
    fi
    api=$(vault_api_version "$v")
    [[ -z "$api" ]] || go mod edit "-replace=github.com/hashicorp/vault/api=github.com/hashicorp/vault/api@$api"
    while IFS= read -r r; do
      [[ -z "$r" ]] || go mod edit "-replace=$r"
    done < <(vault_extra_replaces "$v")
    # Go >= 1.23 rejects x509 certs with negative serials; gosnowflake's embedded CA certs have
    # them and vault then panics at start ("failed to parse CA certificate"). Vault 1.14 shipped
    # built with go1.20, so take go1.20's GODEBUG defaults for this binary.
    go mod edit -godebug=default=go1.20 2>/dev/null || true   # older go: no godebug lines, no need
    # no `go mod tidy`: the wrapper has no Go files, tidy would drop every requirement
    echo "== go.mod replaces:"; grep '^replace' go.mod
    go build -trimpath -ldflags='-s -w' -o "$tmp/vault" github.com/hashicorp/vault
  ) >>"$log" 2>&1 || { log_tail "$log"; die "vault $v: build failed (full log: $log)"; }
  local got; got=$(vault_version_of "$tmp/vault")
  [[ "$got" == "$v" ]] || die "vault $v: built binary reports version '${got:-?}'"
  # keep the wrapper (go.mod, go.sum, patched sdk: small) as the record of what was built
  rm -rf "$CACHE/build/vault-$v"
  mkdir -p "$CACHE/build/vault-$v"
  cp -R "$tmp/go.mod" "$tmp/go.sum" "$CACHE/build/vault-$v/"
  [[ ! -d "$tmp/sdk" ]] || cp -R "$tmp/sdk" "$CACHE/build/vault-$v/"
  mv -f "$tmp/vault" "$out"
}

ensure_vault() { # ensure_vault VERSION -> sets REPLY to the binary path
  local v=$1 out="$BIN/vault-$v" ext="" got t0
  if [[ -x "$out" && "$(vault_version_of "$out")" == "$v" ]]; then
    say "vault $v ... cached"
    REPLY=$out; return
  fi
  rm -f "$out"
  # A vault given by VAULT_BIN (or on PATH) is used as is when its version matches.
  for ext in "${VAULT_BIN:-}" "$(command -v vault 2>/dev/null || true)"; do
    [[ -n "$ext" && -x "$ext" ]] || continue
    got=$(vault_version_of "$ext")
    if [[ "$got" == "$v" ]]; then
      ln -sfn "$(readlink -f "$ext")" "$out"
      say "vault $v ... using $ext"
      REPLY=$out; return
    fi
  done
  need_go "vault $v"
  say "vault $v ... building (this takes 10-25 min on 2 cores; log: $LOGS/vault-$v.log)"
  t0=$(date +%s)
  build_vault "$v" "$out"
  say "vault $v ... built in $(elapsed "$t0")"
  REPLY=$out
}

# ---------------------------------------------------------------------------------------------
# MinIO
ensure_minio() {
  local r=$MINIO_VERSION out="$BIN/minio-$MINIO_VERSION" tmp log t0 got
  if [[ -x "$out" ]] && "$out" --version >/dev/null 2>&1; then
    say "minio $r ... cached"
    REPLY=$out; return
  fi
  need_go "minio"
  say "minio $r ... building (5-15 min on 2 cores; log: $LOGS/minio-$r.log)"
  t0=$(date +%s)
  mktmp "minio"; tmp=$TMP
  log="$LOGS/minio-$r.log"
  (cd "$tmp" && GOBIN="$tmp/bin" go install -trimpath -ldflags='-s -w' "github.com/minio/minio@$r") >"$log" 2>&1 \
    || { log_tail "$log"; die "minio $r: go install failed (full log: $log)"; }
  got=$(go version -m "$tmp/bin/minio" | awk '$1 == "mod" && $2 == "github.com/minio/minio" {print $3}')
  [[ "$got" == "$r" ]] || die "minio $r: built binary is module version '${got:-?}'"
  "$tmp/bin/minio" --version >/dev/null 2>&1 || die "minio $r: built binary does not run"
  mv -f "$tmp/bin/minio" "$out"
  say "minio $r ... built in $(elapsed "$t0")"
  REPLY=$out
}

# ---------------------------------------------------------------------------------------------
# moto. A venv is not relocatable (its scripts carry absolute paths), so it is built in place
# and marked complete with a stamp file; a directory without the stamp is a broken attempt.
ensure_moto() {
  local v=$MOTO_VERSION dir="$CACHE/venv-moto-$MOTO_VERSION" py log t0
  if [[ -f "$dir/.complete" && -x "$dir/bin/moto_server" ]]; then
    say "moto $v ... cached"
    REPLY=$dir/bin/moto_server; return
  fi
  py=${PYTHON:-python3}
  command -v "$py" >/dev/null 2>&1 || die "$py is not on PATH (needed for moto)"
  say "moto $v ... installing into $dir"
  t0=$(date +%s)
  log="$LOGS/moto-$v.log"
  rm -rf "$dir"
  {
    "$py" -m venv "$dir" &&
    "$dir/bin/python" -m pip install --disable-pip-version-check -q "moto[server]==$v" &&
    "$dir/bin/python" -c 'import moto, sys; sys.exit(moto.__version__ != sys.argv[1])' "$v"
  } >"$log" 2>&1 || { log_tail "$log"; rm -rf "$dir"; die "moto $v: install failed (full log: $log)"; }
  touch "$dir/.complete"
  say "moto $v ... installed in $(elapsed "$t0")"
  REPLY=$dir/bin/moto_server
}

# ---------------------------------------------------------------------------------------------
# Smoke checks (--check): each server on 127.0.0.1 only, killed by pid afterwards.
free_port() {
  python3 - <<'EOF'
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
EOF
}
wait_http() { # wait_http URL SECONDS PID -> prints body; fails if the process dies or time runs out
  local url=$1 secs=$2 pid=$3 i body
  for ((i = 0; i < secs * 4; i++)); do
    if body=$(curl -fsS --max-time 2 "$url" 2>/dev/null); then printf '%s' "$body"; return 0; fi
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.25
  done
  return 1
}
stop_pid() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

check_vault() { # check_vault BIN VERSION
  local bin=$1 v=$2 port tmp pid body
  port=$(free_port); mktmp "check-vault"; tmp=$TMP
  HOME="$tmp" "$bin" server -dev -dev-root-token-id=root \
    -dev-listen-address="127.0.0.1:$port" >"$tmp/log" 2>&1 &
  pid=$!; CHILD_PIDS+=("$pid")
  if body=$(wait_http "http://127.0.0.1:$port/v1/sys/health" 30 "$pid") &&
     [[ "$body" == *"\"version\":\"$v\""* ]]; then
    say "check: vault $v -dev on 127.0.0.1:$port ... ok ($body)"
  else
    stop_pid "$pid"; log_tail "$tmp/log"; die "check: vault $v did not answer sys/health with version $v"
  fi
  stop_pid "$pid"
}

check_minio() {
  local bin=$1 port cport tmp pid
  port=$(free_port); cport=$(free_port); mktmp "check-minio"; tmp=$TMP
  MINIO_ROOT_USER=ensuretools MINIO_ROOT_PASSWORD=ensuretools-secret MINIO_BROWSER=off \
    MINIO_UPDATE=off HOME="$tmp" "$bin" server --quiet --address "127.0.0.1:$port" \
    --console-address "127.0.0.1:$cport" "$tmp/data" >"$tmp/log" 2>&1 &
  pid=$!; CHILD_PIDS+=("$pid")
  if wait_http "http://127.0.0.1:$port/minio/health/live" 60 "$pid" >/dev/null; then
    say "check: minio on 127.0.0.1:$port ... ok (/minio/health/live)"
  else
    stop_pid "$pid"; log_tail "$tmp/log"; die "check: minio did not answer /minio/health/live"
  fi
  stop_pid "$pid"
}

check_moto() {
  local bin=$1 port tmp pid
  port=$(free_port); mktmp "check-moto"; tmp=$TMP
  "$bin" -H 127.0.0.1 -p "$port" >"$tmp/log" 2>&1 &
  pid=$!; CHILD_PIDS+=("$pid")
  if wait_http "http://127.0.0.1:$port/moto-api/data.json" 60 "$pid" >/dev/null; then
    say "check: moto_server on 127.0.0.1:$port ... ok (/moto-api/data.json)"
  else
    stop_pid "$pid"; log_tail "$tmp/log"; die "check: moto_server did not answer"
  fi
  stop_pid "$pid"
}

# ---------------------------------------------------------------------------------------------
declare -A ENV_VARS=()
T_START=$(date +%s)

if wanted vault; then
  for v in "${VAULT_VERSIONS[@]}"; do
    ensure_vault "$v"
    ENV_VARS["VAULT_BIN_${v//./_}"]=$REPLY
  done
fi
if wanted minio; then ensure_minio; ENV_VARS[MINIO_BIN]=$REPLY; fi
if wanted moto; then ensure_moto; ENV_VARS[MOTO_SERVER_BIN]=$REPLY; fi

# Tools not selected with --only are still recorded when they are already in the cache.
for v in "${VAULT_VERSIONS[@]}"; do
  k="VAULT_BIN_${v//./_}"
  [[ -z "${ENV_VARS[$k]:-}" && -x "$BIN/vault-$v" ]] && ENV_VARS[$k]="$BIN/vault-$v"
done
[[ -z "${ENV_VARS[MINIO_BIN]:-}" && -x "$BIN/minio-$MINIO_VERSION" ]] && ENV_VARS[MINIO_BIN]="$BIN/minio-$MINIO_VERSION"
[[ -z "${ENV_VARS[MOTO_SERVER_BIN]:-}" && -f "$CACHE/venv-moto-$MOTO_VERSION/.complete" ]] &&
  ENV_VARS[MOTO_SERVER_BIN]="$CACHE/venv-moto-$MOTO_VERSION/bin/moto_server"

if [[ $CHECK -eq 1 ]]; then
  for v in "${VAULT_VERSIONS[@]}"; do
    k="VAULT_BIN_${v//./_}"
    if wanted vault && [[ -n "${ENV_VARS[$k]:-}" ]]; then check_vault "${ENV_VARS[$k]}" "$v"; fi
  done
  if wanted minio && [[ -n "${ENV_VARS[MINIO_BIN]:-}" ]]; then check_minio "${ENV_VARS[MINIO_BIN]}"; fi
  if wanted moto && [[ -n "${ENV_VARS[MOTO_SERVER_BIN]:-}" ]]; then check_moto "${ENV_VARS[MOTO_SERVER_BIN]}"; fi
fi

# tools.env: written to a temp file and renamed, so a reader never sees half of it.
q() { if [[ "$1" =~ ^[A-Za-z0-9_./:@+-]*$ ]]; then printf '%s' "$1"; else printf '%q' "$1"; fi; }
{
  echo "# written by scripts/ensure-tools.sh; shell-sourceable"
  echo "TOOLS_CACHE=$(q "$CACHE")"
  vers=()
  for v in "${VAULT_VERSIONS[@]}"; do [[ -n "${ENV_VARS[VAULT_BIN_${v//./_}]:-}" ]] && vers+=("$v"); done
  if [[ ${#vers[@]} -gt 0 ]]; then
    echo "VAULT_VERSIONS='${vers[*]}'"                                # e.g. '1.14.8 1.14.6'
    echo "VAULT_BIN=$(q "${ENV_VARS[VAULT_BIN_${vers[0]//./_}]}")"     # the target version
    [[ ${#vers[@]} -lt 2 ]] ||                                         # the older one (drills)
      echo "VAULT_OLD_BIN=$(q "${ENV_VARS[VAULT_BIN_${vers[1]//./_}]}")"
    for v in "${vers[@]}"; do echo "VAULT_BIN_${v//./_}=$(q "${ENV_VARS[VAULT_BIN_${v//./_}]}")"; done
  fi
  [[ -n "${ENV_VARS[MINIO_BIN]:-}" ]] && echo "MINIO_BIN=$(q "${ENV_VARS[MINIO_BIN]}")"
  [[ -n "${ENV_VARS[MOTO_SERVER_BIN]:-}" ]] && echo "MOTO_SERVER_BIN=$(q "${ENV_VARS[MOTO_SERVER_BIN]}")"
  true
} >"$ENV_FILE.tmp.$$"
mv -f "$ENV_FILE.tmp.$$" "$ENV_FILE"
say "wrote $ENV_FILE ($(elapsed "$T_START"))"
