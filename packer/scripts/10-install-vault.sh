#!/usr/bin/env bash
# Installs the Vault binary after checking it against the release's SHA256SUMS and,
# when a signing key is given, the signature of that file.
set -euo pipefail
: "${VAULT_VERSION:?}" "${VAULT_ARCH:?}" "${VAULT_RELEASES_URL:?}"

die() { echo "install-vault: $*" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

zip="vault_${VAULT_VERSION}_linux_${VAULT_ARCH}.zip"
sums="vault_${VAULT_VERSION}_SHA256SUMS"
base="${VAULT_RELEASES_URL%/}/${VAULT_VERSION}"
fetch() { curl --fail --silent --show-error --location --proto '=https' --tlsv1.2 --retry 5 -o "$1" "$base/$1"; }

fetch "$zip"
fetch "$sums"

if [ -n "${VAULT_GPG_KEY_B64:-}" ]; then
  fetch "$sums.sig"
  export GNUPGHOME="$work/gnupg"
  mkdir -m 0700 "$GNUPGHOME"
  printf '%s' "$VAULT_GPG_KEY_B64" | base64 -d >signing-key.asc
  gpg --batch --quiet --import signing-key.asc
  gpg --batch --status-fd 1 --verify "$sums.sig" "$sums" >gpg-status 2>/dev/null ||
    die "bad signature on $sums"
  want=$(printf '%s' "${VAULT_GPG_FINGERPRINT:-}" | tr -d '[:space:]' | tr '[:lower:]' '[:upper:]')
  if [ -n "$want" ]; then
    # VALIDSIG carries the fingerprint of the key that made the signature.
    awk '$2 == "VALIDSIG" { print $3; print $NF }' gpg-status | grep -qx "$want" ||
      die "$sums is not signed by $want"
  fi
  echo "install-vault: signature of $sums verified"
else
  echo "install-vault: no signing key given, checking the SHA256SUMS only"
fi

awk -v f="$zip" '$2 == f' "$sums" >expected.sha256
[ -s expected.sha256 ] || die "$zip is not listed in $sums"
sha256sum --check --strict expected.sha256

unzip -q -o "$zip" vault -d .
install -o root -g root -m 0755 vault /usr/local/bin/vault
/usr/local/bin/vault version | grep -q "^Vault v${VAULT_VERSION}" ||
  die "installed binary does not report v${VAULT_VERSION}"
/usr/local/bin/vault -autocomplete-install >/dev/null 2>&1 || true
echo "install-vault: $(/usr/local/bin/vault version)"
