# Vault AMI for the vault-runbook cluster.
#
#   packer init packer/vault.pkr.hcl
#   packer build -var vault_version=1.15.6 -var git_commit=$(git rev-parse HEAD) \
#                -var 'ami_regions=["eu-west-1"]' packer/vault.pkr.hcl
#
# The image holds no secret and no cluster-specific value: at every boot
# vault-config.service renders /etc/vault.d/vault.hcl from the instance's user-data
# (IMDSv2) and fetches the TLS material from SSM Parameter Store.

packer {
  required_version = ">= 1.9.0"
  required_plugins {
    amazon = {
      source = "github.com/hashicorp/amazon"
      # Exactly what scripts/ci-infra.sh validates against (PACKER_AMAZON_VERSION there):
      # move both together.
      version = "= 1.2.1"
    }
  }
}

variable "vault_version" {
  type        = string
  description = "Vault release to install, e.g. 1.15.6 (or 1.15.6+ent)."
  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+(\\+ent)?(-rc[0-9]+)?$", var.vault_version))
    error_message = "The vault_version must look like 1.15.6, 1.15.6+ent or 1.16.0-rc1."
  }
}

variable "git_commit" {
  type        = string
  description = "Commit of this repository the image is built from (git rev-parse HEAD); tagged on the AMI."
  validation {
    condition     = can(regex("^[0-9a-f]{7,40}$", var.git_commit))
    error_message = "The git_commit must be a 7 to 40 character hexadecimal commit id."
  }
}

variable "region" {
  type        = string
  description = "Region the image is built in (the primary region)."
  default     = "us-east-1"
}

variable "ami_regions" {
  type        = list(string)
  description = "Extra regions the AMI is copied to: put the DR region here."
  default     = []
}

variable "region_kms_key_ids" {
  type        = map(string)
  description = "KMS key per copy region for the encrypted AMI snapshots (region => key id/ARN); empty uses aws/ebs."
  default     = {}
}

variable "kms_key_id" {
  type        = string
  description = "KMS key for the boot volume of the AMI in the build region; empty uses aws/ebs."
  default     = ""
}

variable "arch" {
  type        = string
  description = "CPU architecture of the image: amd64 or arm64."
  default     = "amd64"
  validation {
    condition     = contains(["amd64", "arm64"], var.arch)
    error_message = "The arch must be amd64 or arm64."
  }
}

variable "ubuntu_version" {
  type        = string
  description = "Ubuntu LTS release of the base image."
  default     = "24.04"
}

variable "ubuntu_codename" {
  type        = string
  description = "Code name matching ubuntu_version (noble for 24.04, jammy for 22.04)."
  default     = "noble"
}

variable "source_ami_owner" {
  type        = string
  description = "Owner of the base image (Canonical)."
  default     = "099720109477"
}

variable "instance_type" {
  type        = string
  description = "Instance type used only while building."
  default     = "t3.small"
}

variable "root_volume_size" {
  type        = number
  description = "Root volume size in GiB."
  default     = 16
}

variable "subnet_id" {
  type        = string
  description = "Subnet for the build instance; empty uses the default VPC."
  default     = ""
}

variable "ssh_interface" {
  type        = string
  description = "How Packer reaches the build instance: session_manager (no inbound port at all) or public_ip."
  default     = "session_manager"
  validation {
    condition     = contains(["session_manager", "public_ip", "private_ip"], var.ssh_interface)
    error_message = "The ssh_interface must be session_manager, public_ip or private_ip."
  }
}

variable "vault_releases_url" {
  type        = string
  description = "Base URL of the Vault releases (https). A mirror is safe only because SHA256SUMS must carry a valid signature by vault_gpg_fingerprint."
  default     = "https://releases.hashicorp.com/vault"
}

variable "vault_gpg_key_file" {
  type        = string
  description = "Armored public key file the SHA256SUMS signature is checked against; empty uses HashiCorp's release key shipped in files/hashicorp-release-key.asc. The build fails without a valid signature: there is no checksum-only mode."
  default     = ""
}

variable "vault_gpg_fingerprint" {
  type        = string
  description = "Fingerprint of the primary key that must have signed SHA256SUMS (HashiCorp's release key by default)."
  default     = "C874011F0AB405110D02105534365D9472D7468F"
  validation {
    condition     = can(regex("^[0-9A-Fa-f]{40}$", var.vault_gpg_fingerprint))
    error_message = "The vault_gpg_fingerprint must be a 40-digit hexadecimal fingerprint."
  }
}

variable "ami_name_prefix" {
  type        = string
  description = "Prefix of the AMI name; the Vault version and a timestamp follow."
  default     = "vault"
}

variable "remove_openssh_server" {
  type        = bool
  description = "Purge openssh-server from the image (it is always disabled and masked)."
  default     = true
}

variable "manifest_path" {
  type        = string
  description = "Where the manifest post-processor writes the built AMI ids."
  default     = "packer-manifest.json"
}

locals {
  vault_gpg_key_file = var.vault_gpg_key_file != "" ? var.vault_gpg_key_file : "${path.root}/files/hashicorp-release-key.asc"
  timestamp = regex_replace(timestamp(), "[- TZ:]", "")
  ec2_arch  = var.arch == "amd64" ? "x86_64" : "arm64"
  # hvm-ssd* covers both hvm-ssd (22.04) and hvm-ssd-gp3 (24.04) image families.
  source_ami_name = "ubuntu/images/hvm-ssd*/ubuntu-${var.ubuntu_codename}-${var.ubuntu_version}-${var.arch}-server-*"

  image_tags = {
    Name                  = "${var.ami_name_prefix}-${var.vault_version}"
    vault_version         = var.vault_version
    git_commit            = var.git_commit
    ubuntu_version        = var.ubuntu_version
    arch                  = var.arch
    source_ami            = "{{ .SourceAMI }}"
    source_ami_name       = "{{ .SourceAMIName }}"
    build_time            = local.timestamp
    built_by              = "packer"
    "vault-runbook:image" = "vault"
  }
}

source "amazon-ebs" "vault" {
  region          = var.region
  ami_name        = "${var.ami_name_prefix}-${var.vault_version}-${local.timestamp}"
  ami_description = "HashiCorp Vault ${var.vault_version} on Ubuntu ${var.ubuntu_version} (vault-runbook, ${var.git_commit})"
  instance_type   = var.instance_type
  subnet_id       = var.subnet_id

  source_ami_filter {
    filters = {
      name                = local.source_ami_name
      architecture        = local.ec2_arch
      root-device-type    = "ebs"
      virtualization-type = "hvm"
    }
    owners      = [var.source_ami_owner]
    most_recent = true
  }

  communicator  = "ssh"
  ssh_username  = "ubuntu"
  ssh_interface = var.ssh_interface
  # Only used with ssh_interface = session_manager: the build instance needs to
  # register with SSM so Packer can tunnel to it without any inbound rule.
  temporary_iam_instance_profile_policy_document {
    Version = "2012-10-17"
    Statement {
      Effect = "Allow"
      Action = [
        "ssm:UpdateInstanceInformation",
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
        "ec2messages:AcknowledgeMessage",
        "ec2messages:DeleteMessage",
        "ec2messages:FailMessage",
        "ec2messages:GetEndpoint",
        "ec2messages:GetMessages",
        "ec2messages:SendReply",
      ]
      Resource = ["*"]
    }
  }

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  launch_block_device_mappings {
    device_name           = "/dev/sda1"
    volume_size           = var.root_volume_size
    volume_type           = "gp3"
    delete_on_termination = true
    encrypted             = true
  }

  encrypt_boot       = true
  kms_key_id         = var.kms_key_id
  ami_regions        = var.ami_regions
  region_kms_key_ids = var.region_kms_key_ids

  tags          = local.image_tags
  snapshot_tags = local.image_tags
  run_tags = {
    Name          = "packer-build-vault-${var.vault_version}"
    vault_version = var.vault_version
    git_commit    = var.git_commit
  }
}

build {
  name    = "vault"
  sources = ["source.amazon-ebs.vault"]

  provisioner "file" {
    source      = "${path.root}/files/"
    destination = "/tmp/vault-image"
  }

  provisioner "shell" {
    execute_command = "chmod +x {{ .Path }}; sudo -E env {{ .Vars }} bash {{ .Path }}"
    scripts = [
      "${path.root}/scripts/00-base.sh",
    ]
  }

  # The trusted release key travels on its own path: a key given with vault_gpg_key_file
  # replaces the shipped one instead of sitting beside it in the keyring.
  provisioner "file" {
    source      = local.vault_gpg_key_file
    destination = "/tmp/vault-release-key.asc"
  }

  provisioner "shell" {
    execute_command = "chmod +x {{ .Path }}; sudo -E env {{ .Vars }} bash {{ .Path }}"
    environment_vars = [
      "VAULT_VERSION=${var.vault_version}",
      "VAULT_ARCH=${var.arch}",
      "VAULT_RELEASES_URL=${var.vault_releases_url}",
      "VAULT_GPG_KEY_FILE=/tmp/vault-release-key.asc",
      "VAULT_GPG_FINGERPRINT=${var.vault_gpg_fingerprint}",
    ]
    scripts = [
      "${path.root}/scripts/10-install-vault.sh",
      "${path.root}/scripts/20-configure.sh",
    ]
  }

  # Last step: SSH goes away here, so the connection may drop and nothing runs after it.
  provisioner "shell" {
    execute_command   = "chmod +x {{ .Path }}; sudo -E env {{ .Vars }} bash {{ .Path }}"
    environment_vars  = ["REMOVE_OPENSSH_SERVER=${var.remove_openssh_server}"]
    expect_disconnect = true
    skip_clean        = true
    scripts = [
      "${path.root}/scripts/30-harden.sh",
    ]
  }

  post-processor "manifest" {
    output     = var.manifest_path
    strip_path = true
    custom_data = {
      vault_version = var.vault_version
      git_commit    = var.git_commit
    }
  }
}
