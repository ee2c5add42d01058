output "endpoint" {
  description = "Base URL through the edge."
  value       = "https://${local.custom_domain ? var.domain_name : aws_cloudfront_distribution.api.domain_name}"
}

output "distribution_domain" {
  description = "The distribution's own name: the target of the custom domain's CNAME or alias record."
  value       = aws_cloudfront_distribution.api.domain_name
}

output "distribution_id" {
  value = aws_cloudfront_distribution.api.id
}

output "web_acl_arn" {
  value = aws_wafv2_web_acl.edge.arn
}

output "certificate_validation" {
  description = "The DNS records that validate the certificate (empty without a custom domain)."
  value = [for o in(var.domain_name != null ? aws_acm_certificate.edge[0].domain_validation_options : []) :
  { name = o.resource_record_name, type = o.resource_record_type, value = o.resource_record_value }]
}

output "certificate_arn" {
  description = "The custom domain's certificate (empty without a custom domain)."
  value       = var.domain_name != null ? aws_acm_certificate.edge[0].arn : ""
}

output "domain_attached" {
  description = "Whether the distribution serves the custom domain (its certificate was issued)."
  value       = local.custom_domain
}
