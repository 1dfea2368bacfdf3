# Instance role of the Vault nodes: its own bucket path, its own table, its own key through
# S3 and DynamoDB, its TLS parameters, marking itself unhealthy in its own ASG, and the SSM
# agent's channel (break-glass sessions). Nothing else: nothing on a node reads the
# resources bucket, so the role has no access to it.

locals {
  data_bucket_arn = aws_s3_bucket.this["data"].arn

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

  # ha_storage "dynamodb" only takes the HA lock (physical/dynamodb/dynamodb.go, Vault 1.14):
  # DescribeTable at start, UpdateItem to take and renew the lock, GetItem to watch and read
  # it, DeleteItem to release it. Query, Scan, PutItem and Batch* serve the storage side of
  # that backend, which this cluster does not use (storage is S3).
  statement {
    sid    = "HaLockTable"
    effect = "Allow"
    actions = [
      "dynamodb:DescribeTable",
      "dynamodb:GetItem",
      "dynamodb:UpdateItem",
      "dynamodb:DeleteItem",
    ]
    resources = [aws_dynamodb_table.ha.arn]
  }

  # The cluster key only through the two services that use it for Vault: S3 (SSE-KMS of the
  # data bucket, data keys per bucket with bucket keys) and DynamoDB (the table's encryption).
  statement {
    sid       = "ClusterKeyViaS3"
    effect    = "Allow"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [aws_kms_key.this.arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com"]
    }
    condition {
      test     = "StringLike"
      variable = "kms:EncryptionContext:aws:s3:arn"
      values   = [local.data_bucket_arn, "${local.data_bucket_arn}/*"]
    }
  }

  statement {
    sid       = "ClusterKeyViaDynamoDB"
    effect    = "Allow"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = [aws_kms_key.this.arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["dynamodb.${local.region}.amazonaws.com"]
    }
  }

  # Auto-unseal (off by default): the awskms seal calls KMS directly.
  dynamic "statement" {
    for_each = var.seal_awskms_key_arn == null ? [] : [var.seal_awskms_key_arn]
    content {
      sid       = "SealKey"
      effect    = "Allow"
      actions   = ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"]
      resources = [statement.value]
    }
  }

  statement {
    sid       = "TlsParameters"
    effect    = "Allow"
    actions   = ["ssm:GetParameter"]
    resources = local.tls_parameter_arns
  }

  # The TLS parameters' own key (root module: tls_kms.tf), only through SSM and only for
  # these parameters (SSM's encryption context is the parameter ARN).
  statement {
    sid       = "TlsParametersKey"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = [var.tls_parameters_kms_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["ssm.${local.region}.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "kms:EncryptionContext:PARAMETER_ARN"
      values   = local.tls_parameter_arns
    }
  }

  # vault-node-unhealthy (packer/files): a node whose boot steps failed asks its own ASG to
  # replace it. The group's name is known before it exists, so no dependency cycle.
  statement {
    sid       = "MarkSelfUnhealthy"
    effect    = "Allow"
    actions   = ["autoscaling:SetInstanceHealth"]
    resources = ["arn:${local.partition}:autoscaling:${local.region}:${local.account_id}:autoScalingGroup:*:autoScalingGroupName/${local.prefix}"]
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
