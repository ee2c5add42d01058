resource "aws_dynamodb_table" "users" {
  #checkov:skip=CKV_AWS_119:Encrypted at rest with the AWS-owned/managed DynamoDB key (server_side_encryption enabled); a customer KMS key is not needed for this data classification and costs per environment.
  name         = var.table_name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  range_key    = "sk"

  # Users are found by normalized email through an item pk=EMAIL#<email>, sk=EMAIL (no index).
  attribute {
    name = "pk"
    type = "S"
  }

  attribute {
    name = "sk"
    type = "S"
  }

  # The domain's two global secondary indexes (docs/aws-design.md, "The domain in the same table"):
  # gsi1 lists a user's goals by status and the shares they gave, gsi2 the shares they received.
  # Only items that carry the index keys are in an index. Added and removed by UpdateTable, in
  # place: the table and its items stay (the rehearsal upgrades a table without them).
  attribute {
    name = "gsi1pk"
    type = "S"
  }

  attribute {
    name = "gsi1sk"
    type = "S"
  }

  attribute {
    name = "gsi2pk"
    type = "S"
  }

  attribute {
    name = "gsi2sk"
    type = "S"
  }

  global_secondary_index {
    name            = "gsi1"
    hash_key        = "gsi1pk"
    range_key       = "gsi1sk"
    projection_type = "ALL"
  }

  global_secondary_index {
    name            = "gsi2"
    hash_key        = "gsi2pk"
    range_key       = "gsi2sk"
    projection_type = "ALL"
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
