#!/usr/bin/env bash
# The vault user, its directories and the systemd units. The configuration itself is
# rendered at boot by vault-config.service (files/vault-render-config).
set -euo pipefail
src=/tmp/vault-image

if ! getent passwd vault >/dev/null; then
  useradd --system --user-group --home-dir /etc/vault.d --no-create-home \
    --shell /usr/sbin/nologin --comment "HashiCorp Vault" vault
fi

install -d -o root -g vault -m 0750 /etc/vault.d
install -d -o root -g vault -m 0750 /etc/vault.d/tls
install -d -o vault -g vault -m 0750 /var/log/vault

for f in vault-render-config vault-audit-volume vault-node-unhealthy; do
  install -o root -g root -m 0755 "$src/$f" "/usr/local/sbin/$f"
done
for f in vault.service vault-config.service vault-audit-volume.service vault-node-unhealthy.service; do
  install -o root -g root -m 0644 "$src/$f" "/etc/systemd/system/$f"
done
install -o root -g root -m 0644 "$src/vault-sysctl.conf" /etc/sysctl.d/90-vault.conf
install -o root -g root -m 0644 "$src/vault-limits.conf" /etc/security/limits.d/90-vault.conf
install -d -o root -g root -m 0755 /etc/systemd/coredump.conf.d
install -o root -g root -m 0644 "$src/coredump.conf" /etc/systemd/coredump.conf.d/90-vault.conf

# Audit log rotation: Vault reopens its file audit device on SIGHUP.
install -o root -g root -m 0644 "$src/vault-logrotate" /etc/logrotate.d/vault

systemd-analyze verify /etc/systemd/system/vault.service /etc/systemd/system/vault-config.service \
  /etc/systemd/system/vault-audit-volume.service /etc/systemd/system/vault-node-unhealthy.service || true
systemctl daemon-reload
# vault-node-unhealthy.service is not enabled: it only runs as an OnFailure= handler.
systemctl enable vault-audit-volume.service vault-config.service vault.service
rm -rf "$src"
