# ---------------------------------------------------------------------------------------
# Identity
# ---------------------------------------------------------------------------------------
variable "name" {
  type        = string
  description = "Cluster name (the vault-runbook profile name). Lower case, at most 16 characters: it is part of bucket, role and load balancer names."
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,15}$", var.name))
    error_message = "The name must match ^[a-z0-9][a-z0-9-]{0,15}$."
  }
}

variable "role" {
  type        = string
  description = "primary: the serving cluster, replicates its buckets when `replication` is set. dr: the standby region, a replica destination, normally scaled to 0."
  validation {
    condition     = contains(["primary", "dr"], var.role)
    error_message = "The role must be primary or dr."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource (on top of the provider's default_tags)."
  default     = {}
}

# ---------------------------------------------------------------------------------------
# Network
# ---------------------------------------------------------------------------------------
variable "vpc_id" {
  type        = string
  description = "VPC of the cluster."
}

variable "instance_subnet_ids" {
  type        = list(string)
  description = "Private subnets for the Vault nodes, one per availability zone (3 AZs)."
  validation {
    condition     = length(var.instance_subnet_ids) >= 3
    error_message = "Give at least 3 subnets, in 3 different availability zones."
  }
}

variable "alb_subnet_ids" {
  type        = list(string)
  description = "Subnets for the load balancer (private ones for an internal ALB)."
  validation {
    condition     = length(var.alb_subnet_ids) >= 2
    error_message = "An ALB needs at least 2 subnets."
  }
}

variable "alb_internal" {
  type        = bool
  description = "Internal (VPC-only) load balancer. Vault is rarely meant to face the internet."
  default     = true
}

variable "alb_ingress_cidrs" {
  type        = list(string)
  description = "Client networks allowed to reach the load balancer on 443."
}

variable "operator_cidrs" {
  type        = list(string)
  description = "Operator networks allowed to reach each node directly on 8200: unsealing and upgrades talk to every node, not only the active one behind the ALB."
  default     = []
}

variable "egress_https_cidrs" {
  type        = list(string)
  description = "Where nodes may open HTTPS connections: the AWS APIs they use (S3, DynamoDB, KMS, SSM). Narrow it to VPC endpoint ranges when you have them."
  default     = ["0.0.0.0/0"]
}

variable "x_forwarded_for_cidrs" {
  type        = list(string)
  description = "Sources Vault trusts for X-Forwarded-For (the ALB subnets' ranges), so audit logs show client addresses. Empty: not trusted."
  default     = []
}

# ---------------------------------------------------------------------------------------
# Load balancer
# ---------------------------------------------------------------------------------------
variable "alb_certificate_arn" {
  type        = string
  description = "ACM certificate for the HTTPS listener (in this region)."
}

variable "alb_ssl_policy" {
  type        = string
  description = "TLS policy of the HTTPS listener."
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"
}

variable "alb_deletion_protection" {
  type        = bool
  description = "Deletion protection on the load balancer."
  default     = true
}

variable "waf_web_acl_arn" {
  type        = string
  description = "Optional WAFv2 web ACL to associate with the load balancer."
  default     = null
}

# ---------------------------------------------------------------------------------------
# Instances
# ---------------------------------------------------------------------------------------
variable "ami_id" {
  type        = string
  description = "Vault AMI built by packer/vault.pkr.hcl in this region. Only the first apply uses it: afterwards the image is changed by the rolling-upgrade runbook, and terraform ignores image_id."
}

variable "instance_type" {
  type        = string
  description = "Instance type of the Vault nodes."
  default     = "m6i.large"
}

variable "root_volume_size" {
  type        = number
  description = "Root volume size in GiB (at least the AMI's)."
  default     = 16
}

variable "ebs_kms_key_arn" {
  type        = string
  description = "KMS key for the root volumes; null uses the account's default EBS key."
  default     = null
}

variable "min_size" {
  type        = number
  description = "ASG minimum size at creation (terraform ignores later changes: runbooks scale)."
  default     = 3
}

variable "max_size" {
  type        = number
  description = "ASG maximum size; one above the cluster size leaves room for a surge node during upgrades."
  default     = 4
}

variable "desired_capacity" {
  type        = number
  description = "ASG desired capacity at creation: 3 for the primary, 0 for DR (terraform ignores later changes)."
  default     = 3
}

# ---------------------------------------------------------------------------------------
# Vault configuration (rendered at boot from user-data, see packer/files/vault-render-config)
# ---------------------------------------------------------------------------------------
variable "tls_cert_parameter" {
  type        = string
  description = "Name of the SSM SecureString parameter holding the node certificate (PEM, with chain). It must be valid for the node addresses (private IP or private DNS, see node_address) and the load-balanced name."
}

variable "tls_key_parameter" {
  type        = string
  description = "Name of the SSM SecureString parameter holding the node private key (PEM)."
}

variable "tls_ca_parameter" {
  type        = string
  description = "Name of the SSM parameter holding the CA bundle (PEM); null when the certificate chains to a public CA."
  default     = null
}

variable "tls_parameters_kms_key_arn" {
  type        = string
  description = "Customer managed KMS key the TLS parameters are encrypted with, when it is not this module's key (output kms_key_arn) or aws/ssm."
  default     = null
}

variable "node_address" {
  type        = string
  description = "Host put in each node's api_addr/cluster_addr: private_ip or private_dns (from instance metadata)."
  default     = "private_ip"
  validation {
    condition     = contains(["private_ip", "private_dns"], var.node_address)
    error_message = "The node_address must be private_ip or private_dns."
  }
}

variable "s3_path" {
  type        = string
  description = "Prefix of Vault's data inside the data bucket."
  default     = "vault/"
}

variable "resources_prefix" {
  type        = string
  description = "Prefix of the resources bucket that nodes may read (plugins, CA bundles...). The rest of the bucket is for operators."
  default     = "nodes/"
}

variable "vault_ui" {
  type        = bool
  description = "Serve the Vault web UI."
  default     = true
}

variable "vault_log_level" {
  type        = string
  description = "Vault server log level."
  default     = "info"
}

variable "telemetry_prometheus_retention" {
  type        = string
  description = "Enables the telemetry stanza with this prometheus_retention_time (e.g. 30s); empty: no telemetry stanza."
  default     = ""
}

variable "seal_awskms_key_arn" {
  type        = string
  description = "Off by default: this cluster uses Shamir keys held by keyholders. Setting a KMS key ARN renders an awskms seal stanza (auto-unseal) and lets the nodes use that key; the runbooks assume Shamir."
  default     = null
}

# ---------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------
variable "replication" {
  type = object({
    data_bucket_arn      = string
    resources_bucket_arn = string
    kms_key_arn          = string
  })
  description = "Replica destinations (the DR instance's output replication_target). Set on the primary; null on the DR instance."
  default     = null
}

variable "replication_time_control" {
  type        = bool
  description = "S3 Replication Time Control (99.99% of objects within 15 minutes) and its metrics."
  default     = true
}

variable "noncurrent_version_retention_days" {
  type        = number
  description = "Days a noncurrent object version of the data and resources buckets is kept (the window for an S3 version restore)."
  default     = 90
}

variable "log_retention_days" {
  type        = number
  description = "Days S3 and ALB access logs are kept."
  default     = 365
}

variable "deletion_protection" {
  type        = bool
  description = "Deletion protection on the DynamoDB HA table."
  default     = true
}

variable "force_destroy" {
  type        = bool
  description = "Let terraform destroy non-empty buckets. Keep false outside throwaway environments."
  default     = false
}
