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
  description = "Client networks allowed to reach the load balancer on 443. Never the whole internet (0.0.0.0/0, ::/0)."
  validation {
    condition     = length(setintersection(var.alb_ingress_cidrs, ["0.0.0.0/0", "::/0"])) == 0
    error_message = "The alb_ingress_cidrs must name client networks, not 0.0.0.0/0 or ::/0."
  }
}

variable "operator_cidrs" {
  type        = list(string)
  description = "Operator networks allowed to reach each node directly on 8200: unsealing and upgrades talk to every node, not only the active one behind the ALB. Never the whole internet."
  default     = []
  validation {
    condition     = length(setintersection(var.operator_cidrs, ["0.0.0.0/0", "::/0"])) == 0
    error_message = "The operator_cidrs must name operator networks, not 0.0.0.0/0 or ::/0."
  }
}

variable "egress_https_cidrs" {
  type        = list(string)
  description = "Where nodes may open HTTPS connections: the AWS APIs they use (S3, DynamoDB, KMS, SSM, Auto Scaling). Narrow it to VPC endpoint ranges when you have them (empty: none)."
  default     = ["0.0.0.0/0"]
}

variable "egress_https_prefix_list_ids" {
  type        = list(string)
  description = "Managed prefix lists nodes may reach on 443, e.g. the S3 and DynamoDB gateway endpoints' (com.amazonaws.<region>.s3 / .dynamodb), so egress_https_cidrs can shrink to the interface endpoints."
  default     = []
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
  description = "WAFv2 web ACL associated with the load balancer. Required when alb_internal is false (an internet-facing ALB is never left without WAF); optional for an internal one."
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

variable "audit_volume_size" {
  type        = number
  description = "Size in GiB of each node's dedicated, encrypted EBS volume for the Vault audit log (/var/log/vault): a full audit volume cannot fill the root disk, nor the other way round."
  default     = 50
}

variable "retain_audit_volumes" {
  type        = bool
  description = "Keep a node's audit volume when the node is terminated (replacements and upgrades), so its audit log survives; archive and delete them yourself (tag vault-runbook:cluster). false deletes them with the node."
  default     = true
}

variable "ebs_kms_key_arn" {
  type        = string
  description = "KMS key for the root and audit volumes; null uses the account's default EBS key."
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
  description = "Customer managed KMS key the TLS parameters are encrypted with (the root module creates one per region whose key policy lets only the node roles decrypt). Required: aws/ssm would let any principal allowed ssm:GetParameter read the TLS private key."
  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/", var.tls_parameters_kms_key_arn))
    error_message = "The tls_parameters_kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not an alias or aws/ssm."
  }
}

variable "node_address" {
  type        = string
  description = "Host put in each node's api_addr/cluster_addr, from instance metadata. private_dns (default): the node certificate covers the region's private DNS domain with a wildcard, so replacements (new IPs, new names) stay valid. private_ip needs a certificate naming each node's IP, which a replacement does not have."
  default     = "private_dns"
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

# ---------------------------------------------------------------------------------------
# S3 secret recovery in quarantine mode (docs/s3-recovery.md; recovery.tf)
# ---------------------------------------------------------------------------------------
variable "recovery" {
  type = object({
    subnet_cidr            = string
    availability_zone      = optional(string)
    operator_cidr          = string
    endpoint_cidrs         = list(string)
    s3_gateway_endpoint_id = optional(string)
    vpc_id                 = optional(string)
  })
  description = <<-EOT
    Off (null) by default. When set: a recovery role and instance profile (TLS parameters and the cluster key for vault-quarantine-* buckets only; an explicit Deny on this cluster's buckets and lock table), and an isolated recovery subnet with its own route table (no route but the VPC's local one and, when given, the S3 gateway endpoint) and a network ACL (in: 8200 from operator_cidr and return traffic; out: 443 to endpoint_cidrs and the S3 endpoint, and return traffic; the production subnets denied both ways).
    subnet_cidr: a free block of the VPC. operator_cidr: the only source of the recovery node's port 8200 (profile: recovery.operator_cidr). endpoint_cidrs: the subnets of the SSM and KMS interface endpoints, never a production subnet. s3_gateway_endpoint_id: the VPC's S3 gateway endpoint, associated with the recovery route table. vpc_id: another VPC for the subnet (best: one with no peering to production); default the cluster's.
  EOT
  default     = null
  validation {
    condition = var.recovery == null || (
      can(cidrhost(var.recovery.subnet_cidr, 0)) &&
      can(cidrhost(var.recovery.operator_cidr, 0)) &&
      alltrue([for c in try(var.recovery.endpoint_cidrs, []) : can(cidrhost(c, 0))])
    )
    error_message = "The recovery subnet_cidr, operator_cidr and endpoint_cidrs must be IPv4 CIDR blocks."
  }
  validation {
    condition = var.recovery == null || (
      length(try(var.recovery.endpoint_cidrs, [])) > 0 &&
      !contains(concat([try(var.recovery.operator_cidr, "")], try(var.recovery.endpoint_cidrs, [])), "0.0.0.0/0")
    )
    error_message = "The recovery endpoint_cidrs must name the SSM/KMS interface endpoints' subnets (at least one), and neither they nor operator_cidr may be 0.0.0.0/0."
  }
}
