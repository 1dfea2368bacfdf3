data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  region     = data.aws_region.current.name
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  # Global names (IAM, S3) carry the region so the primary and DR instances never clash.
  prefix      = "${var.name}-vault"
  global_name = "${var.name}-vault-${local.region}"

  buckets = {
    data      = "${var.name}-vault-data-${local.region}-${local.account_id}"
    resources = "${var.name}-vault-resources-${local.region}-${local.account_id}"
  }
  logs_bucket = "${var.name}-vault-logs-${local.region}-${local.account_id}"

  tags = merge(var.tags, {
    "vault-runbook:cluster" = var.name
    "vault-runbook:role"    = var.role
  })
}
