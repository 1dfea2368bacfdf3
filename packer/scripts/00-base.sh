#!/usr/bin/env bash
# Base packages: the OS is patched at build time and then left alone (immutable image),
# plus what the boot-time renderer needs (curl, jq, openssl, the AWS CLI).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

# cloud-init may still be running apt on first boot of the build instance.
cloud-init status --wait >/dev/null || true

apt-get update -q
apt-get -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold dist-upgrade
apt-get -y -q install --no-install-recommends \
  ca-certificates curl e2fsprogs gnupg jq openssl unzip

# The AWS CLI v2 is no longer packaged as a deb on current Ubuntu LTS; the snap is Canonical's.
# Snaps are refreshed here, at build time, and held on live nodes (30-harden.sh).
if ! command -v aws >/dev/null 2>&1 && ! [ -x /snap/bin/aws ]; then
  snap install aws-cli --classic
fi
snap refresh
/snap/bin/aws --version || aws --version
