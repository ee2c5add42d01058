output "secret_arn" {
  description = "ARN of the master-key secret (APP_SECRET_ID); the value itself is never an output."
  value       = aws_secretsmanager_secret.master.arn
}

output "api_keys_secret_arn" {
  description = "ARN of the API-keys secret (API_KEYS_SECRET_ID), null when API keys are off."
  value       = var.api_keys_enabled ? aws_secretsmanager_secret.api_keys[0].arn : null
}
