output "secret_arn" {
  description = "ARN of the master-key secret (APP_SECRET_ID); the value itself is never an output."
  value       = aws_secretsmanager_secret.master.arn
}

output "api_keys_secret_arn" {
  description = "ARN of the API-keys secret (API_KEYS_SECRET_ID), null when API keys are off."
  value       = var.api_keys_enabled ? aws_secretsmanager_secret.api_keys[0].arn : null
}

output "edge_secret_arn" {
  description = "ARN of the edge origin secret (EDGE_SECRET_ID), null when the edge is off."
  value       = var.edge_enabled ? aws_secretsmanager_secret.edge_origin[0].arn : null
}

output "edge_secret_version_id" {
  description = "The version the edge module reads back (so it reads after a rotation's write)."
  value       = var.edge_enabled ? aws_secretsmanager_secret_version.edge_origin[0].version_id : null
}
