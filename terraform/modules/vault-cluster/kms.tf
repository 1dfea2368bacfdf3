# One customer managed key per region: S3 objects (bucket default and Vault's own
# kms_key_id), the DynamoDB table, and optionally the TLS parameters in SSM.
data "aws_iam_policy_document" "kms" {
  # The key policy delegates to IAM: the account's admins manage the key, and the
  # instance and replication roles get exactly the uses their own policies grant.
  #checkov:skip=CKV_AWS_109:Key policy: Resource "*" is this key only, and the only principal is the account root (delegation to IAM), which is how AWS says to avoid an unmanageable key.
  #checkov:skip=CKV_AWS_111:Key policy: Resource "*" is this key only, and the only principal is the account root (delegation to IAM).
  #checkov:skip=CKV_AWS_356:Key policy: Resource "*" means this key; key policies cannot name other resources.
  statement {
    sid       = "AccountAdministersKeyThroughIAM"
    effect    = "Allow"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }
}

resource "aws_kms_key" "this" {
  description             = "Vault ${var.name} (${var.role}, ${local.region}): S3 data, resources and DynamoDB HA table"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms.json
  tags                    = local.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${local.prefix}"
  target_key_id = aws_kms_key.this.key_id
}
