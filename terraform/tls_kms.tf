# One customer managed key per region for the TLS SecureString parameters (node certificate,
# private key, CA). Its key policy is the only grant: the account can administer the key and
# encrypt with it (writing the parameters), but only the node role of that region (and its
# recovery role, when made) can decrypt, and only through SSM. The account root deliberately does not get kms:Decrypt or
# kms:CreateGrant, so no IAM policy in the account can open the TLS private key.

data "aws_iam_policy_document" "tls_kms" {
  provider = aws.primary # a local computation; the root has no default provider
  for_each = {
    # The recovery role (when made) reads the same TLS parameters as the nodes.
    primary = { roles = compact([module.primary.node_role_arn, module.primary.recovery_role_arn]), region = var.primary.region }
    dr      = { roles = compact([module.dr.node_role_arn, module.dr.recovery_role_arn]), region = var.dr.region }
  }

  #checkov:skip=CKV_AWS_109:Key policy: Resource "*" means this key. Administration is the account's (without Decrypt or CreateGrant), use is the node role's, through SSM only.
  #checkov:skip=CKV_AWS_111:Key policy: Resource "*" means this key; write access is limited to the administration and encrypt actions listed.
  #checkov:skip=CKV_AWS_356:Key policy: Resource "*" means this key; key policies cannot name other resources.
  statement {
    sid    = "AccountAdministersKey"
    effect = "Allow"
    actions = [
      "kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
      "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource",
      "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:RotateKeyOnDemand",
    ]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }

  # Writing the parameters (aws ssm put-parameter --key-id ...) encrypts; it never decrypts.
  statement {
    sid       = "AccountWritesParameters"
    effect    = "Allow"
    actions   = ["kms:Encrypt", "kms:GenerateDataKey"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["ssm.${each.value.region}.amazonaws.com"]
    }
  }

  statement {
    sid       = "NodesReadParameters"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = each.value.roles
    }
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["ssm.${each.value.region}.amazonaws.com"]
    }
  }
}

data "aws_caller_identity" "current" {
  provider = aws.primary
}

data "aws_partition" "current" {
  provider = aws.primary
}

resource "aws_kms_key" "tls_primary" {
  provider                = aws.primary
  description             = "Vault ${var.name} TLS parameters (${var.primary.region}): decrypt by the node role only"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.tls_kms["primary"].json
}

resource "aws_kms_alias" "tls_primary" {
  provider      = aws.primary
  name          = "alias/${var.name}-vault-tls"
  target_key_id = aws_kms_key.tls_primary.key_id
}

resource "aws_kms_key" "tls_dr" {
  provider                = aws.dr
  description             = "Vault ${var.name} TLS parameters (${var.dr.region}): decrypt by the node role only"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.tls_kms["dr"].json
}

resource "aws_kms_alias" "tls_dr" {
  provider      = aws.dr
  name          = "alias/${var.name}-vault-tls"
  target_key_id = aws_kms_key.tls_dr.key_id
}
