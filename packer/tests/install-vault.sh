#!/usr/bin/env bash
# Test of scripts/10-install-vault.sh, run by scripts/ci-infra.sh: a fake release of a
# fake `vault` is signed with a throw-away key made here, served over HTTPS on loopback,
# and installed. Then each way a release can be forged must stop the install:
# a tampered SHA256SUMS, a signature by an untrusted key, a signature over other content,
# a missing signature, a tampered zip, and a trusted key with the wrong fingerprint.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
script="$here/../scripts/10-install-vault.sh"
work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

version=1.2.3
arch=amd64
mkdir -p "$work/www/$version" "$work/build"

# --- throw-away keys: the trusted signer and an impostor --------------------------------
newkey() { # home uid
  mkdir -m 0700 "$1"
  GNUPGHOME=$1 gpg --batch --quiet --pinentry-mode loopback --passphrase '' \
    --quick-gen-key "$2" ed25519 sign 1d 2>/dev/null
  GNUPGHOME=$1 gpg --batch --with-colons --fingerprint 2>/dev/null | awk -F: '$1 == "fpr" { print $10; exit }'
}
trusted_fpr=$(newkey "$work/trusted" "Release Test <release@test.invalid>")
impostor_fpr=$(newkey "$work/impostor" "Impostor <impostor@test.invalid>")
GNUPGHOME="$work/trusted" gpg --batch --armor --export "$trusted_fpr" >"$work/trusted.asc"
sign() { # home file
  GNUPGHOME=$1 gpg --batch --yes --quiet --pinentry-mode loopback --passphrase '' \
    --detach-sign --output "$2.sig" "$2"
}

# --- a release shaped like releases.hashicorp.com/vault/<v>/ ---------------------------
rel="$work/www/$version"
zip="vault_${version}_linux_${arch}.zip"
sums="vault_${version}_SHA256SUMS"
printf '#!/bin/sh\necho "Vault v%s (test build)"\n' "$version" >"$work/build/vault"
chmod +x "$work/build/vault"
(cd "$work/build" && zip -q "$rel/$zip" vault)
(cd "$rel" && sha256sum "$zip" >"$sums")
sign "$work/trusted" "$rel/$sums"
cp -a "$rel" "$work/good"

# --- HTTPS on loopback with a throw-away CA (the script accepts https only) -------------
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" \
  -addext "subjectAltName=IP:127.0.0.1" -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null
cat >"$work/https.py" <<'PY'
import functools, http.server, ssl, sys, time
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass
handler = functools.partial(Quiet, directory=sys.argv[2])
srv = http.server.HTTPServer(("127.0.0.1", 0), handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[3], sys.argv[4])
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
open(sys.argv[1], "w").write(str(srv.server_address[1]))
srv.timeout = 1
end = time.time() + 120
while time.time() < end:
    srv.handle_request()
PY
python3 "$work/https.py" "$work/port" "$work/www" "$work/tls.crt" "$work/tls.key" &
server_pid=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || { echo "test HTTPS server did not start" >&2; exit 1; }
url="https://127.0.0.1:$(cat "$work/port")"

failures=0
run_install() { # key-file fingerprint
  rm -rf "${work:?}/bin"
  CURL_CA_BUNDLE="$work/tls.crt" VAULT_VERSION=$version VAULT_ARCH=$arch VAULT_RELEASES_URL=$url \
    VAULT_GPG_KEY_FILE=$1 VAULT_GPG_FINGERPRINT=$2 VAULT_INSTALL_DIR="$work/bin" \
    bash "$script" >"$work/out" 2>&1
}
reset_release() { rm -rf "$rel" && cp -a "$work/good" "$rel"; }
expect_refused() { # name expected-message key-file fingerprint
  local name=$1 msg=$2
  shift 2
  if run_install "$@"; then
    echo "FAIL: $name: the install went ahead"
    failures=$((failures + 1))
  elif [ -e "$work/bin/vault" ]; then
    echo "FAIL: $name: refused, but a binary was installed"
    failures=$((failures + 1))
  elif ! grep -q -- "$msg" "$work/out"; then
    echo "FAIL: $name: refused for another reason than '$msg':"
    sed 's/^/    /' "$work/out"
    failures=$((failures + 1))
  else
    echo "ok: $name: refused ($msg)"
  fi
  reset_release
}

# Given a genuine release signed by the trusted key, When installing, Then it installs.
if run_install "$work/trusted.asc" "$trusted_fpr" && [ -x "$work/bin/vault" ] &&
  grep -q "signature of $sums verified" "$work/out"; then
  echo "ok: genuine release installs"
else
  echo "FAIL: genuine release did not install:"
  sed 's/^/    /' "$work/out"
  failures=$((failures + 1))
fi

# Given a SHA256SUMS edited after signing (the checksum of a forged zip), Then refused.
printf '%s  %s\n' "$(printf forged | sha256sum | cut -d' ' -f1)" "$zip" >"$rel/$sums"
expect_refused "tampered SHA256SUMS" "no valid signature" "$work/trusted.asc" "$trusted_fpr"

# Given a forged zip with a re-computed SHA256SUMS signed by an untrusted key, Then refused.
(cd "$rel" && printf 'forged' >"$zip" && sha256sum "$zip" >"$sums")
sign "$work/impostor" "$rel/$sums"
expect_refused "signature by an untrusted key" "no valid signature" "$work/trusted.asc" "$trusted_fpr"

# Given a valid signature by the trusted key but over other content, Then refused.
printf 'something else\n' >"$work/other" && sign "$work/trusted" "$work/other"
cp "$work/other.sig" "$rel/$sums.sig"
expect_refused "signature over other content" "no valid signature" "$work/trusted.asc" "$trusted_fpr"

# Given no signature file at all, Then refused (no checksum-only fallback).
rm -f "$rel/$sums.sig"
expect_refused "missing signature" "cannot download" "$work/trusted.asc" "$trusted_fpr"

# Given a zip replaced after signing (SHA256SUMS genuine), Then refused by the checksum.
printf 'forged' >"$rel/$zip"
expect_refused "tampered zip" "does not match its checksum" "$work/trusted.asc" "$trusted_fpr"

# Given the trusted key file but the fingerprint of another key, Then refused.
expect_refused "wrong fingerprint" "does not hold the key" "$work/trusted.asc" "$impostor_fpr"

# Given no trusted key file, Then refused.
expect_refused "no key file" "missing or empty" "$work/absent.asc" "$trusted_fpr"

# The key shipped for real builds is HashiCorp's release key, by its fingerprint.
shipped="$here/../files/hashicorp-release-key.asc"
export GNUPGHOME="$work/shipped"
mkdir -m 0700 "$GNUPGHOME"
gpg --batch --quiet --import "$shipped" 2>/dev/null
if gpg --batch --with-colons --fingerprint 2>/dev/null | awk -F: '$1 == "fpr" { print $10 }' |
  grep -qx C874011F0AB405110D02105534365D9472D7468F; then
  echo "ok: shipped key is C874 011F 0AB4 0511 0D02 1055 3436 5D94 72D7 468F"
else
  echo "FAIL: $shipped is not HashiCorp's release key"
  failures=$((failures + 1))
fi

[ "$failures" -eq 0 ] || { echo "install-vault: $failures failed" >&2; exit 1; }
echo "install-vault: ok"
