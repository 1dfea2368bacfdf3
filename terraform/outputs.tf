output "primary" {
  description = "Everything the primary instance of the module exposes."
  value = {
    region           = module.primary.region
    asg              = module.primary.asg_name
    launch_template  = module.primary.launch_template_id
    data_bucket      = module.primary.data_bucket
    resources_bucket = module.primary.resources_bucket
    logs_bucket      = module.primary.logs_bucket
    kms_key_arn      = module.primary.kms_key_arn
    tls_kms_key_arn  = aws_kms_key.tls_primary.arn
    dynamodb_table   = module.primary.dynamodb_table
    alb_dns_name     = module.primary.alb_dns_name
    target_group_arn = module.primary.target_group_arn
    recovery         = module.primary.recovery_profile
  }
}

output "dr" {
  description = "Everything the DR instance of the module exposes."
  value = {
    region           = module.dr.region
    asg              = module.dr.asg_name
    launch_template  = module.dr.launch_template_id
    data_bucket      = module.dr.data_bucket
    resources_bucket = module.dr.resources_bucket
    logs_bucket      = module.dr.logs_bucket
    kms_key_arn      = module.dr.kms_key_arn
    tls_kms_key_arn  = aws_kms_key.tls_dr.arn
    dynamodb_table   = module.dr.dynamodb_table
    alb_dns_name     = module.dr.alb_dns_name
    target_group_arn = module.dr.target_group_arn
    recovery         = module.dr.recovery_profile
  }
}

# The profile's `recovery:` section (S3 secret recovery in quarantine mode, primary region;
# docs/s3-recovery.md): subnet_id, instance_profile, role_arn, operator_cidr, egress_cidrs
# and, with an S3 gateway endpoint, egress_prefix_lists. Null when primary.recovery is not
# set. The operator running the runbook needs iam:PassRole on role_arn.
output "recovery" {
  description = "The vault-runbook profile's recovery section for the primary region; null when primary.recovery is not set."
  value       = module.primary.recovery_profile
}

output "vault_addr" {
  description = "Load-balanced address clients use (the failover record)."
  value       = "https://${var.route53_record_name}"
}

output "route53_health_check_id" {
  description = "Health check behind the PRIMARY failover record."
  value       = aws_route53_health_check.primary.id
}

locals {
  profile_tls = {
    for k, v in {
      ca_cert     = var.profile_ca_cert
      server_name = var.profile_tls_server_name == null ? var.route53_record_name : var.profile_tls_server_name
    } : k => v if v != ""
  }
}

# Shaped like a vault-runbook cluster profile (DESIGN §2, src/domain/schema.ts). JSON is
# YAML, so `terraform output -json vault_runbook_profile > prod.yaml` is a usable
# profile; add `keyholders` to it before the bootstrap ceremony.
output "vault_runbook_profile" {
  description = "A vault-runbook cluster profile for this deployment."
  value = merge({
    name = var.name
    vault = merge(
      {
        discover = { asg = module.primary.asg_name, region = module.primary.region }
        # Where a failover unseals and checks the promoted cluster: the DR group's nodes, found
        # when it has scaled up (it holds none before), with the same TLS name as the primary's.
        dr_discover = { asg = module.dr.asg_name, region = module.dr.region }
        api_addr    = "https://${var.route53_record_name}"
        # Where the file audit device writes: the nodes' dedicated audit volume.
        audit_file = "/var/log/vault/audit.log"
      },
      { for k, v in { tls = local.profile_tls } : k => v if length(v) > 0 },
    )
    aws = {
      region              = module.primary.region
      dr_region           = module.dr.region
      asg                 = module.primary.asg_name
      dr_asg              = module.dr.asg_name
      launch_template     = module.primary.launch_template_id
      dr_launch_template  = module.dr.launch_template_id
      data_bucket         = module.primary.data_bucket
      dr_data_bucket      = module.dr.data_bucket
      dynamodb_table      = module.primary.dynamodb_table
      dr_dynamodb_table   = module.dr.dynamodb_table
      route53             = { zone_id = var.route53_zone_id, record = var.route53_record_name }
      target_group_arn    = module.primary.target_group_arn
      dr_target_group_arn = module.dr.target_group_arn
    }
    image = {
      builder  = "packer"
      template = "packer/vault.pkr.hcl"
    }
    },
    # Only when the primary region has a recovery subnet and role (primary.recovery).
    { for k, v in { recovery = module.primary.recovery_profile } : k => v if v != null },
  )
}
