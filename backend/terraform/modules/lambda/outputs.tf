output "log_group_name" {
  value = aws_cloudwatch_log_group.function.name
}

output "log_group_arn" {
  value = aws_cloudwatch_log_group.function.arn
}

output "function_name" {
  value = var.create_function ? aws_lambda_function.api[0].function_name : ""
}

output "function_arn" {
  value = var.create_function ? aws_lambda_function.api[0].arn : ""
}

output "image_uri" {
  value = var.create_function ? aws_lambda_function.api[0].image_uri : ""
}

output "function_version" {
  description = "The newest published version (what phase 3 smoke-tests and moves `live` to)."
  value       = var.create_function ? aws_lambda_function.api[0].version : ""
}

output "live_alias_arn" {
  value = var.create_function ? aws_lambda_alias.live[0].arn : ""
}

output "image_tag" {
  description = "The tag whose digest the function runs."
  value       = var.create_function ? data.aws_ecr_image.selected[0].image_tag : ""
}
