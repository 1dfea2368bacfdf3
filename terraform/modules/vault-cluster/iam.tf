# Instance role of the Vault nodes: its own bucket paths, its own table, its own key, its
# TLS parameters, and the SSM agent's channel (break-glass sessions). Nothing else.

locals {
  data_bucket_arn      = aws_s3_bucket.this["data"].arn
  resources_bucket_arn = aws_s3_bucket.this["resources"].arn

  tls_parameter_arns = [
    for p in [var.tls_cert_parameter, var.tls_key_parameter, var.tls_ca_parameter] :
    "arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter/${trimprefix(p, "/")}"
    if p != null && p != ""
  ]
}

data "aws_iam_policy_document" "node_assume" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "node" {
  name               = "${local.global_name}-node"
  description        = "Vault ${var.name} nodes in ${local.region}"
  assume_role_policy = data.aws_iam_policy_document.node_assume.json
  tags               = local.tags
}

resource "aws_iam_instance_profile" "node" {
  name = "${local.global_name}-node"
  role = aws_iam_role.node.name
  tags = local.tags
}

data "aws_iam_policy_document" "node" {
  # Vault's S3 backend lists the bucket without a prefix when it starts, to check access.
  statement {
    sid       = "VaultStorageList"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [local.data_bucket_arn]
  }

  statement {
    sid       = "VaultStorageObjects"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${local.data_bucket_arn}/${var.s3_path}*"]
  }

  statement {
    sid       = "ResourcesList"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [local.resources_bucket_arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.resources_prefix}*"]
    }
  }

  statement {
    sid       = "ResourcesRead"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${local.resources_bucket_arn}/${var.resources_prefix}*"]
  }

  statement {
    sid    = "HaLockTable"
    effect = "Allow"
    actions = [
      "dynamodb:DescribeTable",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
      "dynamodb:DeleteItem",
      "dynamodb:Query",
      "dynamodb:Scan",
      "dynamodb:BatchGetItem",
      "dynamodb:BatchWriteItem",
    ]
    resources = [aws_dynamodb_table.ha.arn]
  }

  statement {
    sid    = "ClusterKey"
    effect = "Allow"
    actions = [
      "kms:Encrypt",
      "kms:Decrypt",
      "kms:ReEncryptFrom",
      "kms:ReEncryptTo",
      "kms:GenerateDataKey",
      "kms:DescribeKey",
    ]
    resources = compact([aws_kms_key.this.arn, var.seal_awskms_key_arn])
  }

  statement {
    sid       = "TlsParameters"
    effect    = "Allow"
    actions   = ["ssm:GetParameter"]
    resources = local.tls_parameter_arns
  }

  dynamic "statement" {
    for_each = var.tls_parameters_kms_key_arn == null ? [] : [var.tls_parameters_kms_key_arn]
    content {
      sid       = "TlsParametersKey"
      effect    = "Allow"
      actions   = ["kms:Decrypt"]
      resources = [statement.value]
      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["ssm.${local.region}.amazonaws.com"]
      }
    }
  }

  # Session Manager's minimum (instead of AmazonSSMManagedInstanceCore, which also reads
  # every SSM parameter of the account).
  statement {
    sid       = "SessionManagerRegistration"
    effect    = "Allow"
    actions   = ["ssm:UpdateInstanceInformation"]
    resources = ["arn:${local.partition}:ec2:${local.region}:${local.account_id}:instance/*"]
  }

  # The agent's message channels have no resource-level permissions.
  statement {
    sid    = "SessionManagerChannels"
    effect = "Allow"
    actions = [
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
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "node" {
  name   = "vault-node"
  role   = aws_iam_role.node.id
  policy = data.aws_iam_policy_document.node.json
}
