variable "name_prefix" {
  description = "api-handler-<env>: names the web ACL, its metrics and its log group."
  type        = string
}

variable "api_endpoint" {
  description = "The HTTP API's https:// endpoint, CloudFront's origin."
  type        = string
}

variable "origin_secret_arn" {
  description = "The secret whose value CloudFront sends in X-Origin-Verify."
  type        = string
}

variable "origin_secret_version" {
  description = "The secret's current version id (read back after each write)."
  type        = string
}

variable "domain_name" {
  description = "Custom domain (null = the distribution's *.cloudfront.net name)."
  type        = string
  default     = null
}

variable "auth_rate_limit_5min" {
  description = "Requests to /v1/auth/* per client address in 5 minutes before the WAF blocks."
  type        = number
}

variable "waf_log_retention_days" {
  type = number
}

variable "certificate_issued" {
  description = "Whether ACM has issued the custom domain's certificate (read by deploy-phased.sh before each plan): only then are the domain and the certificate attached."
  type        = bool
  default     = false
}
