#!/usr/bin/env bash
# Installs the Vault binary only after two checks, both mandatory:
#   1. SHA256SUMS carries a good signature made by the key with VAULT_GPG_FINGERPRINT
#      (HashiCorp's release key, shipped as packer/files/hashicorp-release-key.asc);
#   2. the zip's SHA-256 is the one SHA256SUMS lists.
# There is no "checksum only" mode: a SHA256SUMS fetched from the same place as the zip
# proves nothing against a compromised mirror or CDN.
#
# Environment:
#   VAULT_VERSION, VAULT_ARCH, VAULT_RELEASES_URL   what to fetch, and from where (https only)
#   VAULT_GPG_KEY_FILE      trusted armored public key(s) (the test points it at a throw-away key)
#   VAULT_GPG_FINGERPRINT   primary-key fingerprint the signature must chain to
#   VAULT_INSTALL_DIR       where the binary goes (default /usr/local/bin)
set -euo pipefail
: "${VAULT_VERSION:?}" "${VAULT_ARCH:?}" "${VAULT_RELEASES_URL:?}"
: "${VAULT_GPG_KEY_FILE:?a trusted signing key file is required}"
: "${VAULT_GPG_FINGERPRINT:?the signing key fingerprint is required}"
install_dir=${VAULT_INSTALL_DIR:-/usr/local/bin}

die() {
  echo "install-vault: $*" >&2
  exit 1
}

[ -s "$VAULT_GPG_KEY_FILE" ] || die "signing key file $VAULT_GPG_KEY_FILE is missing or empty"
want=$(printf '%s' "$VAULT_GPG_FINGERPRINT" | tr -d '[:space:]' | tr '[:lower:]' '[:upper:]')
[[ "$want" =~ ^[0-9A-F]{40}$ ]] || die "VAULT_GPG_FINGERPRINT must be a 40-digit hexadecimal fingerprint"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

zip="vault_${VAULT_VERSION}_linux_${VAULT_ARCH}.zip"
sums="vault_${VAULT_VERSION}_SHA256SUMS"
base="${VAULT_RELEASES_URL%/}/${VAULT_VERSION}"
fetch() {
  curl --fail --silent --show-error --location --proto '=https' --proto-redir '=https' --tlsv1.2 \
    --connect-timeout 20 --max-time 600 --retry 5 -o "$1" "$base/$1" || die "cannot download $base/$1"
}

fetch "$zip"
fetch "$sums"
fetch "$sums.sig"

# A keyring holding only the trusted key: nothing else can produce a VALIDSIG.
export GNUPGHOME="$work/gnupg"
mkdir -m 0700 "$GNUPGHOME"
gpg --batch --quiet --import "$VAULT_GPG_KEY_FILE" 2>/dev/null || die "cannot import $VAULT_GPG_KEY_FILE"
gpg --batch --with-colons --fingerprint 2>/dev/null | awk -F: '$1 == "fpr" { print $10 }' | grep -qx "$want" ||
  die "$VAULT_GPG_KEY_FILE does not hold the key $want"

status=0
gpg --batch --status-fd 1 --verify "$sums.sig" "$sums" >gpg-status 2>gpg-stderr || status=$?
# VALIDSIG's last field is the primary key's fingerprint (the signing subkey's is the first):
# require a good signature that chains to the expected primary key, and nothing bad beside it.
if [ "$status" -ne 0 ] || grep -qE '^\[GNUPG:\] (BADSIG|ERRSIG|EXPKEYSIG|REVKEYSIG|EXPSIG) ' gpg-status ||
  ! awk -v want="$want" '$2 == "VALIDSIG" && $NF == want { ok = 1 } END { exit !ok }' gpg-status; then
  sed 's/^/  gpg: /' gpg-stderr >&2
  die "no valid signature by $want on $sums: refusing to install"
fi
echo "install-vault: signature of $sums verified (key $want)"

awk -v f="$zip" '$2 == f' "$sums" >expected.sha256
[ "$(wc -l <expected.sha256)" -eq 1 ] || die "$zip is not listed exactly once in $sums"
sha256sum --check --strict --quiet expected.sha256 || die "$zip does not match its checksum in $sums"

unzip -q -o "$zip" vault -d unpacked
install -d "$install_dir"
install -m 0755 unpacked/vault "$install_dir/vault"
"$install_dir/vault" version | grep -q "^Vault v${VAULT_VERSION}" ||
  die "installed binary does not report v${VAULT_VERSION}"
echo "install-vault: $("$install_dir/vault" version)"
