output "user_pool_id" {
  value = aws_cognito_user_pool.this.id
}

output "user_pool_arn" {
  value = aws_cognito_user_pool.this.arn
}

output "client_id" {
  value = aws_cognito_user_pool_client.app.id
}

output "issuer_url" {
  description = "OIDC issuer of the pool's tokens (for the API Gateway JWT authorizer)."
  value       = "https://${aws_cognito_user_pool.this.endpoint}"
}
