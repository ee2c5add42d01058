output "secret_arn" {
  description = "ARN of the master-key secret (APP_SECRET_ID); the value itself is never an output."
  value       = aws_secretsmanager_secret.master.arn
}
