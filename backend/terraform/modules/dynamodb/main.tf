resource "aws_dynamodb_table" "users" {
  #checkov:skip=CKV_AWS_119:Encrypted at rest with the AWS-owned/managed DynamoDB key (server_side_encryption enabled); a customer KMS key is not needed for this data classification and costs per environment.
  name         = var.table_name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  range_key    = "sk"

  # Users are found by normalized email through an item pk=EMAIL#<email>, sk=EMAIL,
  # so no GSI is needed.
  attribute {
    name = "pk"
    type = "S"
  }

  attribute {
    name = "sk"
    type = "S"
  }

  # Rate-limit counters (LIMIT#<key> / LIMIT) carry expiresAt; DynamoDB removes them after
  # their window, so the table never accumulates them.
  ttl {
    attribute_name = "expiresAt"
    enabled        = true
  }

  server_side_encryption {
    enabled = true
  }

  point_in_time_recovery {
    enabled = true
  }

  deletion_protection_enabled = var.deletion_protection
}
