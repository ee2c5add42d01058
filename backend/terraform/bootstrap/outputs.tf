output "state_bucket" {
  value = aws_s3_bucket.state.bucket
}

output "deploy_role_arns" {
  description = "Set as the GitHub environment variable AWS_DEPLOY_ROLE_ARN of each environment."
  value       = { for env, role in aws_iam_role.deploy : env => role.arn }
}

output "boundary_arns" {
  description = "The permissions boundary the function's role of each environment carries."
  value       = { for env, policy in aws_iam_policy.boundary : env => policy.arn }
}
