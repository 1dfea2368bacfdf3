#!/usr/bin/env bash
# Final step: SSM agent for break-glass access, no SSH daemon, no build leftovers.
# Runs over the build's own SSH session: stopping the listener keeps that session
# (sshd's KillMode=process), and Packer expects a disconnect here anyway.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

# SSM agent: Canonical's images ship it as a snap; install it if this one does not.
if ! snap list amazon-ssm-agent >/dev/null 2>&1; then
  snap install amazon-ssm-agent --classic
fi
systemctl enable snap.amazon-ssm-agent.amazon-ssm-agent.service

# Immutable image: patches arrive as a new AMI through the rolling-upgrade runbook,
# never as unattended upgrades (or reboots) on a live node.
systemctl disable apt-daily.timer apt-daily-upgrade.timer || true
systemctl mask apt-daily.service apt-daily-upgrade.service || true
apt-get -y -q purge unattended-upgrades || true
# Snaps too (the AWS CLI, the SSM agent, core): held indefinitely, so snapd never
# refreshes them on a live node. A new AMI brings new snap revisions (00-base.sh installs
# or refreshes them at build time). Checked: the build fails if the hold did not take.
snap set system refresh.hold=forever
[ "$(snap get system refresh.hold)" = forever ] ||
  { echo "30-harden: snap refreshes are not held" >&2; exit 1; }

# No SSH daemon: disabled and masked (ssh.socket too: 24.04 starts sshd by socket),
# and by default removed together with EC2 Instance Connect.
systemctl disable ssh.service ssh.socket 2>/dev/null || true
systemctl mask ssh.service ssh.socket
if [ "${REMOVE_OPENSSH_SERVER:-true}" = "true" ]; then
  apt-get -y -q purge openssh-server ec2-instance-connect || true
fi
rm -f /etc/ssh/ssh_host_*
rm -f /root/.ssh/authorized_keys /home/*/.ssh/authorized_keys

apt-get -y -q autoremove --purge
apt-get clean
rm -rf /var/lib/apt/lists/* /tmp/* /var/tmp/*

# Every instance must come up with its own identity.
cloud-init clean --logs || true
truncate -s 0 /etc/machine-id
rm -f /root/.bash_history /home/*/.bash_history
sync
