output "json" {
  value = data.aws_iam_policy_document.this.json
}

output "boundary_json" {
  description = "The permissions boundary every role of this environment's pipeline must carry."
  value       = data.aws_iam_policy_document.boundary.json
}

output "boundary_name" {
  value = "lifestyle-backend-${var.environment}-boundary"
}
