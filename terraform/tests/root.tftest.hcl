# terraform test of the two-region example, offline (mocked AWS provider, one per region).
# Run by scripts/ci-infra.sh.

mock_provider "aws" {
  alias  = "primary"
  source = "./modules/vault-cluster/tests/mocks"
}

mock_provider "aws" {
  alias  = "dr"
  source = "./modules/vault-cluster/tests/mocks"
  mock_data "aws_region" {
    defaults = { name = "us-west-2" }
  }
}

# The two TLS keys must be told apart (the shared mocks give every KMS key one ARN).
override_resource {
  target = aws_kms_key.tls_dr
  values = {
    arn    = "arn:aws:kms:us-west-2:111122223333:key/00000000-0000-0000-0000-0000000000d2"
    key_id = "00000000-0000-0000-0000-0000000000d2"
  }
}

variables {
  name = "prod"
  primary = {
    region              = "us-east-1"
    vpc_id              = "vpc-0123456789abcdef0"
    instance_subnet_ids = ["subnet-a1", "subnet-a2", "subnet-a3"]
    alb_subnet_ids      = ["subnet-a1", "subnet-a2", "subnet-a3"]
    alb_certificate_arn = "arn:aws:acm:us-east-1:111122223333:certificate/00000000-0000-0000-0000-000000000000"
    ami_id              = "ami-0123456789abcdef0"
  }
  dr = {
    region              = "us-west-2"
    vpc_id              = "vpc-0fedcba9876543210"
    instance_subnet_ids = ["subnet-b1", "subnet-b2", "subnet-b3"]
    alb_subnet_ids      = ["subnet-b1", "subnet-b2", "subnet-b3"]
    alb_certificate_arn = "arn:aws:acm:us-west-2:111122223333:certificate/00000000-0000-0000-0000-000000000000"
    ami_id              = "ami-0fedcba9876543210"
  }
  alb_ingress_cidrs   = ["10.0.0.0/8"]
  operator_cidrs      = ["10.20.0.0/24"]
  tls_cert_parameter  = "/vault/prod/tls/cert"
  tls_key_parameter   = "/vault/prod/tls/key"
  tls_ca_parameter    = "/vault/prod/tls/ca"
  route53_zone_id     = "Z0123456789ABCDEFGHIJ"
  route53_record_name = "vault.prod.example.internal"
  profile_ca_cert     = "./prod-ca.pem"
}

run "dr_region_has_no_node" {
  command = apply

  assert {
    condition     = module.dr.asg_desired_capacity == 0 && module.dr.asg_min_size == 0
    error_message = "The DR ASG must start at desired 0 (and min 0): promotion scales it up."
  }
  assert {
    condition     = module.primary.asg_desired_capacity == 3
    error_message = "The primary ASG starts with cluster_size nodes."
  }
}

run "primary_replicates_to_dr" {
  command = apply

  assert {
    condition     = toset(keys(module.primary.replication_rules)) == toset(["data", "resources"])
    error_message = "The primary must replicate both its data and resources buckets."
  }
  assert {
    condition = alltrue([
      for k, r in module.primary.replication_rules :
      r.status == "Enabled" && r.delete_markers == "Enabled" && r.destination == module.dr.replication_target["${k}_bucket_arn"]
    ])
    error_message = "Each primary bucket must replicate (deletions included) into the matching DR bucket."
  }
  assert {
    condition     = length(module.dr.replication_rules) == 0
    error_message = "The DR buckets are destinations: they replicate nowhere until failback."
  }
  assert {
    condition     = alltrue([for s in concat(values(module.primary.versioning), values(module.dr.versioning)) : s == "Enabled"])
    error_message = "Versioning must be on for every data and resources bucket in both regions."
  }
}

run "failover_treats_missing_data_as_unhealthy" {
  command = apply

  assert {
    condition     = aws_route53_health_check.primary.insufficient_data_health_status == "Unhealthy"
    error_message = "With no CloudWatch data (region outage) the primary must count as unhealthy."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.primary_no_active_node.treat_missing_data == "breaching"
    error_message = "Missing HealthyHostCount data must breach the alarm."
  }
}

run "tls_parameters_use_their_own_keys" {
  command = apply

  assert {
    condition     = module.primary.tls_parameters_kms_key_arn == aws_kms_key.tls_primary.arn && module.dr.tls_parameters_kms_key_arn == aws_kms_key.tls_dr.arn
    error_message = "Each region's module must be given that region's TLS parameters key."
  }
}

# Every field of the profile schema (src/domain/schema.ts, ProfileSchema) that a deployment
# provides, and nothing the strict schema would reject. aws.endpoints is the sandbox's only.
run "profile_output_has_what_the_runbooks_read" {
  command = apply

  assert {
    condition     = toset(keys(output.vault_runbook_profile)) == toset(["name", "vault", "aws", "image"])
    error_message = "The profile must have name, vault, aws and image, and nothing else."
  }
  assert {
    condition     = toset(keys(output.vault_runbook_profile.vault)) == toset(["discover", "dr_discover", "api_addr", "audit_file", "tls"])
    error_message = "profile.vault must have discover, dr_discover, api_addr, audit_file and tls."
  }
  assert {
    condition = (output.vault_runbook_profile.vault.discover.asg == "prod-vault" &&
      output.vault_runbook_profile.vault.discover.region == "us-east-1" &&
      output.vault_runbook_profile.vault.dr_discover.asg == module.dr.asg_name &&
      output.vault_runbook_profile.vault.dr_discover.region == module.dr.region &&
      output.vault_runbook_profile.vault.dr_discover.region != output.vault_runbook_profile.vault.discover.region &&
      output.vault_runbook_profile.vault.api_addr == "https://vault.prod.example.internal" &&
    output.vault_runbook_profile.vault.audit_file == "/var/log/vault/audit.log")
    error_message = "profile.vault must point at the primary ASG, the DR ASG (dr_discover), the failover name and the audit log."
  }
  assert {
    condition = (output.vault_runbook_profile.vault.tls.ca_cert == "./prod-ca.pem" &&
    output.vault_runbook_profile.vault.tls.server_name == "vault.prod.example.internal")
    error_message = "profile.vault.tls must carry the CA and verify nodes against the Vault name by default."
  }
  assert {
    condition = toset(keys(output.vault_runbook_profile.aws)) == toset([
      "region", "dr_region", "asg", "dr_asg", "launch_template", "dr_launch_template",
      "data_bucket", "dr_data_bucket", "dynamodb_table", "dr_dynamodb_table", "route53",
      "target_group_arn", "dr_target_group_arn",
    ])
    error_message = "profile.aws must have every field of the schema but endpoints, and nothing else."
  }
  assert {
    condition     = alltrue([for k, v in output.vault_runbook_profile.aws : k == "route53" || try(length(v) > 0, false)])
    error_message = "Every profile.aws field must have a value."
  }
  assert {
    condition = (output.vault_runbook_profile.aws.route53.zone_id == "Z0123456789ABCDEFGHIJ" &&
    output.vault_runbook_profile.aws.route53.record == "vault.prod.example.internal")
    error_message = "profile.aws.route53 must name the failover record."
  }
  assert {
    condition     = output.vault_runbook_profile.aws.region == "us-east-1" && output.vault_runbook_profile.aws.dr_region == "us-west-2"
    error_message = "profile.aws regions must be the primary and DR regions."
  }
  assert {
    condition     = output.vault_runbook_profile.image.builder == "packer" && output.vault_runbook_profile.image.template == "packer/vault.pkr.hcl"
    error_message = "profile.image must name the packer template."
  }
}

# S3-quarantine recovery (module input recovery, docs/s3-recovery.md): off unless a region
# sets it; on in the primary, its profile section is an output and part of the profile,
# and the primary's TLS key lets the recovery role decrypt the TLS parameters too.
run "recovery_is_off_unless_set" {
  command = apply

  assert {
    condition     = output.recovery == null && output.primary.recovery == null && output.dr.recovery == null
    error_message = "Without primary.recovery / dr.recovery no recovery section may be output."
  }
  assert {
    condition     = !contains(keys(output.vault_runbook_profile), "recovery")
    error_message = "Without primary.recovery the profile must have no recovery section."
  }
}

run "recovery_in_the_primary_region" {
  command = apply
  variables {
    primary = {
      region              = "us-east-1"
      vpc_id              = "vpc-0123456789abcdef0"
      instance_subnet_ids = ["subnet-a1", "subnet-a2", "subnet-a3"]
      alb_subnet_ids      = ["subnet-a1", "subnet-a2", "subnet-a3"]
      alb_certificate_arn = "arn:aws:acm:us-east-1:111122223333:certificate/00000000-0000-0000-0000-000000000000"
      ami_id              = "ami-0123456789abcdef0"
      recovery = {
        subnet_cidr            = "10.0.9.0/28"
        operator_cidr          = "10.20.0.0/24"
        endpoint_cidrs         = ["10.0.8.0/26"]
        s3_gateway_endpoint_id = "vpce-0123456789abcdef0"
      }
    }
  }
  # (The node role was made by the runs above, with the mocks' ARN; the recovery role is new.)
  override_resource {
    target = module.primary.aws_iam_role.recovery
    values = { arn = "arn:aws:iam::111122223333:role/prod-vault-us-east-1-recovery" }
  }

  assert {
    condition = (output.recovery.subnet_id == module.primary.recovery_subnet_id &&
      output.recovery.instance_profile == "prod-vault-us-east-1-recovery" &&
      output.recovery.role_arn == "arn:aws:iam::111122223333:role/prod-vault-us-east-1-recovery" &&
    output.recovery.operator_cidr == "10.20.0.0/24")
    error_message = "The recovery output must give the subnet, instance profile, role and operator CIDR of the primary region."
  }
  assert {
    condition     = output.vault_runbook_profile.recovery == output.recovery && output.dr.recovery == null
    error_message = "The profile's recovery section must be the primary's recovery output (DR has none here)."
  }
  assert {
    condition = toset(flatten([
      for s in data.aws_iam_policy_document.tls_kms["primary"].statement : [for p in s.principals : p.identifiers] if s.sid == "NodesReadParameters"
    ])) == toset([module.primary.node_role_arn, "arn:aws:iam::111122223333:role/prod-vault-us-east-1-recovery"])
    error_message = "The primary TLS key must let the node role and the recovery role decrypt (through SSM)."
  }
  assert {
    condition     = length(flatten([for s in data.aws_iam_policy_document.tls_kms["dr"].statement : [for p in s.principals : p.identifiers] if s.sid == "NodesReadParameters"])) == 1
    error_message = "The DR TLS key must name only the DR node role when DR has no recovery role."
  }
}
