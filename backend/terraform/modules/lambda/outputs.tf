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
