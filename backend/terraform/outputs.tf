output "environment" {
  value = var.environment
}

output "ecr_repository_url" {
  value = module.ecr.repository_url
}

output "users_table_name" {
  value = module.dynamodb.table_name
}

output "user_pool_id" {
  value = module.cognito.user_pool_id
}

output "user_pool_client_id" {
  value = module.cognito.client_id
}

output "lambda_role_arn" {
  value = module.iam.role_arn
}

output "log_group_name" {
  value = module.lambda.log_group_name
}

output "function_name" {
  value = module.lambda.function_name
}

output "image_uri" {
  description = "Image the function runs, by digest (empty before phase 3)."
  value       = module.lambda.image_uri
}

output "image_tag" {
  description = "The api-handler-<env>-<sha> tag of that image (empty before phase 3)."
  value       = module.lambda.image_tag
}

output "api_endpoint" {
  description = "Base URL of the HTTP API (empty before phase 3); routes live under /v1."
  value       = var.deploy_lambda ? module.api_gateway[0].api_endpoint : ""
}

output "function_version" {
  description = "Newest published version of the function (empty before phase 3); `live` serves traffic."
  value       = module.lambda.function_version
}

output "alarm_subscription_count" {
  description = "How many subscriptions the alarm topic has from alarm_subscriptions (0 = alarms reach nobody)."
  value       = length(var.alarm_subscriptions)
}

output "edge_endpoint" {
  description = "Base URL clients use when the edge is on (https://<domain or *.cloudfront.net>); empty otherwise."
  value       = length(module.edge) > 0 ? module.edge[0].endpoint : ""
}

output "edge_certificate_validation" {
  description = "The DNS record (name, type, value) that validates the edge's certificate, when edge_domain_name is set."
  value       = length(module.edge) > 0 ? module.edge[0].certificate_validation : []
}

output "edge_certificate_arn" {
  description = "The edge's custom-domain certificate (deploy-phased.sh reads its status before each plan)."
  value       = length(module.edge) > 0 ? module.edge[0].certificate_arn : ""
}

output "edge_domain_attached" {
  description = "Whether the edge serves edge_domain_name (its certificate is issued and attached)."
  value       = length(module.edge) > 0 ? module.edge[0].domain_attached : false
}
