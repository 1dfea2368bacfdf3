output "name" {
  description = "Cluster name."
  value       = var.name
}

output "role" {
  description = "primary or dr."
  value       = var.role
}

output "region" {
  description = "Region of this instance of the module."
  value       = local.region
}

output "asg_name" {
  description = "Auto Scaling group of the Vault nodes (profile: aws.asg / aws.dr_asg, vault.discover.asg)."
  value       = aws_autoscaling_group.this.name
}

output "launch_template_id" {
  description = "Launch template of the nodes (profile: aws.launch_template)."
  value       = aws_launch_template.this.id
}

output "launch_template_name" {
  description = "Name of the launch template."
  value       = aws_launch_template.this.name
}

output "data_bucket" {
  description = "S3 bucket of Vault's storage (profile: aws.data_bucket / aws.dr_data_bucket)."
  value       = aws_s3_bucket.this["data"].id
}

output "data_bucket_arn" {
  description = "ARN of the data bucket."
  value       = aws_s3_bucket.this["data"].arn
}

output "s3_path" {
  description = "Prefix of Vault's data in the data bucket."
  value       = var.s3_path
}

output "resources_bucket" {
  description = "Resources bucket: operator material (plugins, CA bundles, exports), replicated to DR; nodes have no access to it."
  value       = aws_s3_bucket.this["resources"].id
}

output "logs_bucket" {
  description = "Bucket of the S3 and ALB access logs."
  value       = aws_s3_bucket.logs.id
}

output "kms_key_arn" {
  description = "KMS key of this region's buckets and table; encrypt the TLS parameters with it."
  value       = aws_kms_key.this.arn
}

output "dynamodb_table" {
  description = "DynamoDB HA lock table (profile: aws.dynamodb_table / aws.dr_dynamodb_table)."
  value       = aws_dynamodb_table.ha.name
}

output "alb_dns_name" {
  description = "DNS name of the load balancer."
  value       = aws_lb.this.dns_name
}

output "alb_zone_id" {
  description = "Hosted zone of the load balancer (for Route 53 aliases)."
  value       = aws_lb.this.zone_id
}

output "alb_arn_suffix" {
  description = "ARN suffix of the load balancer (CloudWatch dimension)."
  value       = aws_lb.this.arn_suffix
}

output "target_group_arn" {
  description = "Target group whose only healthy target is the active node (profile: aws.target_group_arn)."
  value       = aws_lb_target_group.this.arn
}

output "target_group_arn_suffix" {
  description = "ARN suffix of the target group (CloudWatch dimension)."
  value       = aws_lb_target_group.this.arn_suffix
}

output "node_security_group_id" {
  description = "Security group of the nodes."
  value       = aws_security_group.node.id
}

output "node_role_arn" {
  description = "IAM role of the nodes."
  value       = aws_iam_role.node.arn
}

output "replication_target" {
  description = "What the primary instance's `replication` input needs; available once versioning is on."
  value = {
    data_bucket_arn      = aws_s3_bucket.this["data"].arn
    resources_bucket_arn = aws_s3_bucket.this["resources"].arn
    kms_key_arn          = aws_kms_key.this.arn
  }
  # CRR can only be configured towards a bucket whose versioning is already enabled.
  depends_on = [aws_s3_bucket_versioning.this]
}

output "asg_desired_capacity" {
  description = "Desired capacity the ASG was created with (runbooks change it afterwards)."
  value       = aws_autoscaling_group.this.desired_capacity
}

output "asg_min_size" {
  description = "Minimum size the ASG was created with."
  value       = aws_autoscaling_group.this.min_size
}

output "versioning" {
  description = "Versioning status of the data and resources buckets (bucket key => status)."
  value       = { for k, v in aws_s3_bucket_versioning.this : k => v.versioning_configuration[0].status }
}

output "replication_rules" {
  description = "Cross-region replication of this instance's buckets (bucket key => rule); empty on the DR instance."
  value = {
    for k, v in aws_s3_bucket_replication_configuration.this : k => {
      status         = v.rule[0].status
      delete_markers = v.rule[0].delete_marker_replication[0].status
      destination    = v.rule[0].destination[0].bucket
    }
  }
}

output "tls_parameters_kms_key_arn" {
  description = "KMS key the nodes may decrypt their TLS parameters with (through SSM)."
  value       = var.tls_parameters_kms_key_arn
}

# --- S3-quarantine recovery (var.recovery; null when off) ------------------------------
output "recovery_subnet_id" {
  description = "Isolated subnet of the recovery node (profile: recovery.subnet_id); null when recovery is off."
  value       = one(aws_subnet.recovery[*].id)
}

output "recovery_instance_profile" {
  description = "Instance profile of the recovery node, never the nodes' one (profile: recovery.instance_profile); null when recovery is off."
  value       = one(aws_iam_instance_profile.recovery[*].name)
}

output "recovery_role_arn" {
  description = "Role in the recovery instance profile, which the quarantine bucket's policy grants (profile: recovery.role_arn); give the operator iam:PassRole on it. Null when recovery is off."
  value       = one(aws_iam_role.recovery[*].arn)
}

output "recovery_profile" {
  description = "The vault-runbook profile's `recovery:` section for this region (docs/s3-recovery.md); null when recovery is off."
  value = local.recovery_enabled ? merge(
    {
      subnet_id        = aws_subnet.recovery[0].id
      instance_profile = aws_iam_instance_profile.recovery[0].name
      role_arn         = aws_iam_role.recovery[0].arn
      operator_cidr    = var.recovery.operator_cidr
      # The interface endpoints only, never the VPC CIDR (it holds the production load
      # balancer on 443). The profile requires egress_cidrs or egress_prefix_lists; the
      # module's validation keeps endpoint_cidrs non-empty, so this is always set.
      egress_cidrs = local.recovery_endpoint_cidrs
    },
    length(data.aws_vpc_endpoint.recovery_s3) == 0 ? {} : {
      egress_prefix_lists = [for e in data.aws_vpc_endpoint.recovery_s3 : e.prefix_list_id]
    },
  ) : null
}
