variable "name" {
  type        = string
  description = "Cluster name, also the vault-runbook profile name (lower case, at most 16 characters)."
}

variable "primary" {
  type = object({
    region              = string
    vpc_id              = string
    instance_subnet_ids = list(string)
    alb_subnet_ids      = list(string)
    alb_certificate_arn = string
    ami_id              = string
    # Gateway endpoints' prefix lists (S3, DynamoDB) the nodes may reach on 443.
    egress_https_prefix_list_ids = optional(list(string), [])
    # S3-quarantine recovery subnet and role in this region (module input `recovery`;
    # docs/s3-recovery.md). Off when absent.
    recovery = optional(object({
      subnet_cidr            = string
      availability_zone      = optional(string)
      operator_cidr          = string
      endpoint_cidrs         = list(string)
      s3_gateway_endpoint_id = optional(string)
      vpc_id                 = optional(string)
    }))
  })
  description = "Primary region: network, ACM certificate for the ALB, the AMI built by packer (its id in this region), optionally the S3/DynamoDB gateway endpoints' prefix lists, and optionally `recovery` (an isolated subnet and a dedicated role for S3-quarantine recovery; off when absent)."
}

variable "dr" {
  type = object({
    region                       = string
    vpc_id                       = string
    instance_subnet_ids          = list(string)
    alb_subnet_ids               = list(string)
    alb_certificate_arn          = string
    ami_id                       = string
    egress_https_prefix_list_ids = optional(list(string), [])
    recovery = optional(object({
      subnet_cidr            = string
      availability_zone      = optional(string)
      operator_cidr          = string
      endpoint_cidrs         = list(string)
      s3_gateway_endpoint_id = optional(string)
      vpc_id                 = optional(string)
    }))
  })
  description = "DR region, same shape as primary; ami_id is the copy packer made with ami_regions."
}

variable "cluster_size" {
  type        = number
  description = "Vault nodes in the primary region (one per AZ)."
  default     = 3
}

variable "instance_type" {
  type        = string
  description = "Instance type of the Vault nodes."
  default     = "m6i.large"
}

variable "alb_internal" {
  type        = bool
  description = "Internal load balancers (recommended)."
  default     = true
}

variable "alb_ingress_cidrs" {
  type        = list(string)
  description = "Client networks allowed to reach the load balancers on 443."
}

variable "operator_cidrs" {
  type        = list(string)
  description = "Operator networks allowed to reach each node on 8200 (unseal, upgrades: vault-runbook talks to every node)."
  default     = []
}

variable "egress_https_cidrs" {
  type        = list(string)
  description = "Where nodes may open HTTPS connections (AWS APIs); narrow it to VPC endpoint ranges when you have them."
  default     = ["0.0.0.0/0"]
}

variable "tls_cert_parameter" {
  type        = string
  description = "SSM SecureString parameter with the node certificate (PEM). Create it, with the same name, in both regions."
}

variable "tls_key_parameter" {
  type        = string
  description = "SSM SecureString parameter with the node private key (PEM), in both regions."
}

variable "tls_ca_parameter" {
  type        = string
  description = "SSM parameter with the CA bundle (PEM), in both regions; null for a public CA."
  default     = null
}

variable "node_address" {
  type        = string
  description = "Host in each node's api_addr/cluster_addr: private_dns (default; the node certificate covers both regions' private DNS domains with wildcards) or private_ip."
  default     = "private_dns"
}

variable "audit_volume_size" {
  type        = number
  description = "GiB of each node's dedicated encrypted audit-log volume."
  default     = 50
}

variable "route53_zone_id" {
  type        = string
  description = "Hosted zone of the failover record (a private zone of the VPCs for internal ALBs)."
}

variable "route53_record_name" {
  type        = string
  description = "Fully qualified name clients use, e.g. vault.example.internal."
}

variable "alarm_actions" {
  type        = list(string)
  description = "SNS topics (primary region) notified when the primary has no active node."
  default     = []
}

variable "profile_ca_cert" {
  type        = string
  description = "Path of the CA bundle on the operator's machine, written into vault_runbook_profile.vault.tls.ca_cert; empty leaves it out."
  default     = ""
}

variable "profile_tls_server_name" {
  type        = string
  description = "TLS server name vault-runbook verifies when it talks to nodes by IP address; null uses route53_record_name (which the node certificate must cover), empty leaves it out."
  default     = null
}

variable "tags" {
  type        = map(string)
  description = "Default tags on every resource in both regions."
  default     = {}
}
