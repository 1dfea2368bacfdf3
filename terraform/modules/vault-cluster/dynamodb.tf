# HA lock table (ha_storage "dynamodb"): one per region, never a global table: the DR
# cluster must take its own lock (DESIGN §8). Key schema is the one Vault creates itself.
resource "aws_dynamodb_table" "ha" {
  name                        = "${local.prefix}-ha"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "Path"
  range_key                   = "Key"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "Path"
    type = "S"
  }

  attribute {
    name = "Key"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.this.arn
  }

  tags = local.tags
}
