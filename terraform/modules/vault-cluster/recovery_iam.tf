# Identity of the S3-quarantine recovery node (docs/s3-recovery.md), made when
# var.recovery is set. vault-runbook launches one instance of the cluster's AMI with this
# profile on a quarantine copy of the data bucket; it refuses the nodes' profile, because
# the nodes' role reaches the live bucket whatever a security group says.
#
# What the node needs, and only that: its TLS parameters (ssm:GetParameter, and their key
# through SSM), the cluster key through S3 for vault-quarantine-* buckets (Vault writes with
# kms_key_id = this key; the copied objects decrypt with it), and the auto-unseal key if the
# cluster has one. No S3 grant at all: the quarantine bucket's own policy, written by
# vault-runbook at run time and deleted with the bucket, grants this role that bucket. No
# DynamoDB (a recovery node has no HA storage), no Auto Scaling (it is in no group), no SSM
# session channels. The policy is jsonencode'd, not an aws_iam_policy_document, so that the
# module tests read the very document AWS is sent (the mocked provider renders documents
# empty).

locals {
  recovery_enabled = var.recovery != null

  # This cluster's buckets and lock table in every region: the DR instance's have the same
  # names but for the region, so a pattern covers them without knowing them.
  cluster_bucket_patterns = [
    "arn:${local.partition}:s3:::${local.prefix}-*",
    "arn:${local.partition}:s3:::${local.prefix}-*/*",
  ]
  live_bucket_arns = concat(
    flatten([for b in aws_s3_bucket.this : [b.arn, "${b.arn}/*"]]),
    [aws_s3_bucket.logs.arn, "${aws_s3_bucket.logs.arn}/*"],
    var.replication == null ? [] : flatten([
      for arn in [var.replication.data_bucket_arn, var.replication.resources_bucket_arn] : [arn, "${arn}/*"]
    ]),
  )
  live_table_arns = [
    aws_dynamodb_table.ha.arn,
    "${aws_dynamodb_table.ha.arn}/*",
    "arn:${local.partition}:dynamodb:*:${local.account_id}:table/${local.prefix}-ha",
    "arn:${local.partition}:dynamodb:*:${local.account_id}:table/${local.prefix}-ha/*",
  ]

  # vault-runbook names quarantine buckets vault-quarantine-<run> (s3.quarantine-create).
  quarantine_bucket_arns = [
    "arn:${local.partition}:s3:::vault-quarantine-*",
    "arn:${local.partition}:s3:::vault-quarantine-*/*",
  ]

  recovery_policy = {
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          Sid      = "TlsParameters"
          Effect   = "Allow"
          Action   = ["ssm:GetParameter"]
          Resource = local.tls_parameter_arns
        },
        {
          Sid      = "TlsParametersKey"
          Effect   = "Allow"
          Action   = ["kms:Decrypt"]
          Resource = [var.tls_parameters_kms_key_arn]
          Condition = {
            StringEquals = {
              "kms:ViaService"                      = "ssm.${local.region}.amazonaws.com"
              "kms:EncryptionContext:PARAMETER_ARN" = local.tls_parameter_arns
            }
          }
        },
        {
          # The production role has this key through S3 for the data bucket only; the
          # recovery role has it for quarantine buckets only.
          Sid      = "ClusterKeyViaS3ForQuarantine"
          Effect   = "Allow"
          Action   = ["kms:GenerateDataKey", "kms:Decrypt"]
          Resource = [aws_kms_key.this.arn]
          Condition = {
            StringEquals = { "kms:ViaService" = "s3.${local.region}.amazonaws.com" }
            StringLike   = { "kms:EncryptionContext:aws:s3:arn" = local.quarantine_bucket_arns }
          }
        },
      ],
      var.seal_awskms_key_arn == null ? [] : [{
        # Auto-unseal clusters only: the node cannot unseal without it.
        Sid      = "SealKey"
        Effect   = "Allow"
        Action   = ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"]
        Resource = [var.seal_awskms_key_arn]
      }],
      [
        # Belt and braces: whatever is later attached to this role, it never reaches the
        # live or DR data, the resources and logs buckets, or the lock table.
        {
          Sid      = "DenyLiveBuckets"
          Effect   = "Deny"
          Action   = ["s3:*"]
          Resource = concat(local.live_bucket_arns, local.cluster_bucket_patterns)
        },
        {
          Sid      = "DenyLockTable"
          Effect   = "Deny"
          Action   = ["dynamodb:*"]
          Resource = local.live_table_arns
        },
      ],
    )
  }
}

resource "aws_iam_role" "recovery" {
  count              = local.recovery_enabled ? 1 : 0
  name               = "${local.global_name}-recovery"
  description        = "Vault ${var.name} S3-quarantine recovery node in ${local.region} (never the nodes' role)"
  assume_role_policy = data.aws_iam_policy_document.node_assume.json
  tags               = merge(local.tags, { "vault-runbook:recovery" = "true" })
}

resource "aws_iam_instance_profile" "recovery" {
  count = local.recovery_enabled ? 1 : 0
  name  = "${local.global_name}-recovery"
  role  = aws_iam_role.recovery[0].name
  tags  = merge(local.tags, { "vault-runbook:recovery" = "true" })
}

resource "aws_iam_role_policy" "recovery" {
  count  = local.recovery_enabled ? 1 : 0
  name   = "vault-recovery-node"
  role   = aws_iam_role.recovery[0].id
  policy = jsonencode(local.recovery_policy)
}
