# The environment's master key: one random secret the function derives every key it needs from
# (HKDF with a purpose label; MFA session seals first). The value is made by Secrets Manager
# (GetRandomPassword, an ephemeral resource) and written write-only, so it is never in the plan,
# the state or an output. 64 random alphanumerics are base64 of 48 bytes (~380 bits).
ephemeral "aws_secretsmanager_random_password" "master" {
  password_length     = 64
  exclude_punctuation = true
  include_space       = false
}

resource "aws_secretsmanager_secret" "master" {
  #checkov:skip=CKV_AWS_149:Encrypted with the Secrets Manager service key (aws/secretsmanager); the function's role is the only reader by policy, and a per-environment CMK adds cost without a second reader to separate.
  #checkov:skip=CKV2_AWS_57:Rotated by the runbook (docs/deployment-guide.md, "Rotating the master key"): put-secret-value; the function keeps AWSPREVIOUS in its key ring and seals again under the new key as values are used. A rotation Lambda would add nothing but a second writer.
  name                    = var.secret_name
  description             = "Master key of ${var.secret_name} (base64); the API derives its keys from it."
  recovery_window_in_days = var.recovery_window_days
}

resource "aws_secretsmanager_secret_version" "master" {
  secret_id                = aws_secretsmanager_secret.master.id
  secret_string_wo         = ephemeral.aws_secretsmanager_random_password.master.random_password
  secret_string_wo_version = var.key_version
}

# Optional API keys (enable_api_keys): the SHA-256 of each accepted key, never a key itself,
# as {"keys":[{"name":…,"sha256":…}]}. scripts/api-keys.sh adds and removes keys; Terraform
# only creates the secret, empty, and then leaves its value alone.
resource "aws_secretsmanager_secret" "api_keys" {
  #checkov:skip=CKV_AWS_149:Holds only SHA-256 digests of random keys; the Secrets Manager service key suffices.
  #checkov:skip=CKV2_AWS_57:Keys are rotated by adding a new key and removing the old one (scripts/api-keys.sh), not by a rotation Lambda.
  count                   = var.api_keys_enabled ? 1 : 0
  name                    = "${var.secret_name_prefix}-api-keys"
  description             = "SHA-256 of the API keys ${var.secret_name_prefix} accepts (scripts/api-keys.sh)."
  recovery_window_in_days = var.recovery_window_days
}

resource "aws_secretsmanager_secret_version" "api_keys" {
  count         = var.api_keys_enabled ? 1 : 0
  secret_id     = aws_secretsmanager_secret.api_keys[0].id
  secret_string = jsonencode({ keys = [] })

  lifecycle {
    ignore_changes = [secret_string]
  }
}

# The optional edge (enable_edge): the value CloudFront sends to the API in X-Origin-Verify, so
# the function can tell a request that passed the WAF from one sent to the API's own hostname.
# Made by Secrets Manager and written write-only like the master key; CloudFront's origin
# configuration needs the value itself, so the edge module reads it back (into the state, which
# is encrypted and readable only by the deploy roles; never an output or the environment).
ephemeral "aws_secretsmanager_random_password" "edge_origin" {
  count               = var.edge_enabled ? 1 : 0
  password_length     = 48
  exclude_punctuation = true
  include_space       = false
}

resource "aws_secretsmanager_secret" "edge_origin" {
  #checkov:skip=CKV_AWS_149:A shared value between CloudFront and the function; the Secrets Manager service key suffices.
  #checkov:skip=CKV2_AWS_57:Rotated by bumping edge_secret_version (the function accepts the previous value until CloudFront sends the new one), not by a rotation Lambda.
  count                   = var.edge_enabled ? 1 : 0
  name                    = "${var.secret_name_prefix}-edge-origin"
  description             = "The X-Origin-Verify value CloudFront sends to ${var.secret_name_prefix} (enable_edge)."
  recovery_window_in_days = var.recovery_window_days
}

resource "aws_secretsmanager_secret_version" "edge_origin" {
  count                    = var.edge_enabled ? 1 : 0
  secret_id                = aws_secretsmanager_secret.edge_origin[0].id
  secret_string_wo         = ephemeral.aws_secretsmanager_random_password.edge_origin[0].random_password
  secret_string_wo_version = var.edge_secret_version
}
