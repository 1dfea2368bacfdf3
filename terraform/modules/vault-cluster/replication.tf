# Cross-region replication of the data and resources buckets to the DR instance's
# buckets. Configured from the source side only, so the module needs no second provider:
# the replication configuration lives in the source region and IAM is global.
# Replication is asynchronous and not atomic across objects (DESIGN §8): fence the
# primary before promoting DR.

locals {
  replicate = var.replication == null ? {} : {
    data      = var.replication.data_bucket_arn
    resources = var.replication.resources_bucket_arn
  }
}

data "aws_iam_policy_document" "replication_assume" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["s3.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "replication" {
  count              = var.replication == null ? 0 : 1
  name               = "${local.global_name}-replication"
  assume_role_policy = data.aws_iam_policy_document.replication_assume.json
  tags               = local.tags
}

data "aws_iam_policy_document" "replication" {
  count = var.replication == null ? 0 : 1

  statement {
    sid       = "ReadSourceConfiguration"
    effect    = "Allow"
    actions   = ["s3:GetReplicationConfiguration", "s3:ListBucket"]
    resources = [for k in keys(local.replicate) : aws_s3_bucket.this[k].arn]
  }

  statement {
    sid    = "ReadSourceVersions"
    effect = "Allow"
    actions = [
      "s3:GetObjectVersionForReplication",
      "s3:GetObjectVersionAcl",
      "s3:GetObjectVersionTagging",
    ]
    resources = [for k in keys(local.replicate) : "${aws_s3_bucket.this[k].arn}/*"]
  }

  statement {
    sid    = "WriteReplicas"
    effect = "Allow"
    actions = [
      "s3:ReplicateObject",
      "s3:ReplicateDelete",
      "s3:ReplicateTags",
    ]
    resources = [for arn in values(local.replicate) : "${arn}/*"]
  }

  statement {
    sid       = "DecryptSource"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.this.arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com"]
    }
    # With S3 Bucket Keys the encryption context is the bucket ARN, without them the object ARN.
    condition {
      test     = "StringLike"
      variable = "kms:EncryptionContext:aws:s3:arn"
      values = flatten([for k in keys(local.replicate) : [
        aws_s3_bucket.this[k].arn, "${aws_s3_bucket.this[k].arn}/*",
      ]])
    }
  }

  statement {
    sid       = "EncryptReplicas"
    effect    = "Allow"
    actions   = ["kms:Encrypt", "kms:GenerateDataKey"]
    resources = [var.replication.kms_key_arn]
    condition {
      test     = "StringLike"
      variable = "kms:EncryptionContext:aws:s3:arn"
      values   = flatten([for arn in values(local.replicate) : [arn, "${arn}/*"]])
    }
  }
}

resource "aws_iam_role_policy" "replication" {
  count  = var.replication == null ? 0 : 1
  name   = "s3-replication"
  role   = aws_iam_role.replication[0].id
  policy = data.aws_iam_policy_document.replication[0].json
}

resource "aws_s3_bucket_replication_configuration" "this" {
  for_each = local.replicate
  bucket   = aws_s3_bucket.this[each.key].id
  role     = aws_iam_role.replication[0].arn

  rule {
    id       = "to-dr-region"
    status   = "Enabled"
    priority = 1
    filter {}

    # The DR copy must be a faithful image of the primary, deletions included.
    delete_marker_replication {
      status = "Enabled"
    }

    source_selection_criteria {
      sse_kms_encrypted_objects {
        status = "Enabled"
      }
    }

    destination {
      bucket        = each.value
      storage_class = "STANDARD"

      encryption_configuration {
        replica_kms_key_id = var.replication.kms_key_arn
      }

      dynamic "replication_time" {
        for_each = var.replication_time_control ? [1] : []
        content {
          status = "Enabled"
          time {
            minutes = 15
          }
        }
      }

      dynamic "metrics" {
        for_each = var.replication_time_control ? [1] : []
        content {
          status = "Enabled"
          event_threshold {
            minutes = 15
          }
        }
      }
    }
  }

  depends_on = [aws_s3_bucket_versioning.this, aws_iam_role_policy.replication]
}
