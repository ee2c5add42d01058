variable "environment" {
  description = "Deployment environment; selects the settings in locals.tf."
  type        = string

  validation {
    condition     = contains(["dev", "prod"], var.environment)
    error_message = "environment must be \"dev\" or \"prod\"."
  }
}

variable "aws_account_id" {
  description = "AWS account the environment lives in (the provider refuses any other)."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.aws_account_id))
    error_message = "aws_account_id must be 12 digits."
  }
}

variable "aws_region" {
  description = "AWS region for every resource of the environment."
  type        = string
  default     = "us-east-1"
}

variable "deploy_lambda" {
  description = "Phase switch: false = base infrastructure only; true = also the function, API and alarms."
  type        = bool
  default     = false
}

variable "image_tag" {
  description = "ECR image tag the function runs (api-handler-<env>-<git sha>); required when deploy_lambda is true."
  type        = string
  default     = ""

  validation {
    condition     = var.image_tag == "" || can(regex("^api-handler-(dev|prod)-[0-9A-Za-z._-]{1,100}$", var.image_tag))
    error_message = "image_tag must look like api-handler-<env>-<git sha> (mutable tags such as latest are not allowed)."
  }

  validation {
    condition     = !var.deploy_lambda || var.image_tag != ""
    error_message = "image_tag is required when deploy_lambda is true."
  }
}

variable "lambda_architecture" {
  description = "CPU architecture of the container image: arm64 (default) or x86_64."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.lambda_architecture)
    error_message = "lambda_architecture must be arm64 or x86_64."
  }
}

variable "cors_origins" {
  description = "Browser origins allowed to call the API (e.g. [\"https://ailifestyle.app\", \"https://staging.ailifestyle.app\"]), or [\"*\"]. Null = the environment's default: * for dev, https://ailifestyle.app for prod."
  type        = list(string)
  default     = null

  validation {
    condition = var.cors_origins == null ? true : (
      length(var.cors_origins) > 0 && (
        var.cors_origins == ["*"] ||
        alltrue([for o in var.cors_origins : can(regex("^https?://[^/*, ]+$", o))])
      )
    )
    error_message = "cors_origins must be [\"*\"] or a non-empty list of origins like https://ailifestyle.app (scheme and host, no path)."
  }
}

variable "ses_identity_arn" {
  description = "ARN of a verified SES identity (domain or address) Cognito sends its mail through (DEVELOPER sending account). Null or empty = Cognito's default sender, whose small daily quota suits dev only."
  type        = string
  default     = null

  validation {
    condition     = var.ses_identity_arn == null ? true : var.ses_identity_arn == "" ? true : can(regex("^arn:aws[a-z-]*:ses:[a-z0-9-]+:[0-9]{12}:identity/.+$", var.ses_identity_arn))
    error_message = "ses_identity_arn must be an SES identity ARN, e.g. arn:aws:ses:eu-west-1:123456789012:identity/ailifestyle.app."
  }
}

variable "ses_from_address" {
  description = "From address of Cognito's mail when ses_identity_arn is set, e.g. \"AI Lifestyle <no-reply@ailifestyle.app>\"; must belong to that identity."
  type        = string
  default     = null

  validation {
    condition     = var.ses_from_address == null ? true : var.ses_from_address == "" ? true : can(regex("@", var.ses_from_address))
    error_message = "ses_from_address must be an email address (optionally with a display name)."
  }
}

variable "alarm_subscriptions" {
  description = "Who receives this environment's alarms, e.g. [{ protocol = \"email\", endpoint = \"oncall@ailifestyle.app\" }] or an https endpoint of a chat integration. Empty = nobody (the deploy warns)."
  type        = list(object({ protocol = string, endpoint = string }))
  default     = []

  validation {
    condition = alltrue([for s in var.alarm_subscriptions :
      (s.protocol == "email" && can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", s.endpoint))) ||
    (s.protocol == "https" && can(regex("^https://[^\\s]+$", s.endpoint)))])
    error_message = "alarm_subscriptions: each entry is { protocol = \"email\", endpoint = an address } or { protocol = \"https\", endpoint = an https:// URL }."
  }
}

variable "enable_api_keys" {
  description = "Require x-api-key on every request but health and the CORS preflight; keys are managed with scripts/api-keys.sh (hashed in api-handler-<env>-api-keys)."
  type        = bool
  default     = false
}

variable "enable_edge" {
  description = "Put CloudFront with AWS WAF (a per-address rate rule on /v1/auth/*, AWS's common and known-bad-inputs rule sets) in front of the HTTP API; the function then refuses requests that bypass it."
  type        = bool
  default     = false
}

variable "edge_domain_name" {
  description = "Custom domain of the edge (e.g. api.ailifestyle.app), with an ACM certificate validated by DNS: the first apply requests it and prints the record (output edge_certificate_validation); the first deploy after ACM issued it attaches the domain. Null or empty = CloudFront's own *.cloudfront.net name."
  type        = string
  default     = null

  validation {
    condition     = var.edge_domain_name == null || var.edge_domain_name == "" || can(regex("^([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,}$", var.edge_domain_name))
    error_message = "edge_domain_name must be a lower-case DNS name such as api.ailifestyle.app."
  }
}

variable "edge_auth_rate_limit_5min" {
  description = "Requests to /v1/auth/* one client address may make in 5 minutes before the WAF blocks it (AWS's minimum is 10)."
  type        = number
  default     = 300

  validation {
    condition     = var.edge_auth_rate_limit_5min >= 10 && var.edge_auth_rate_limit_5min <= 2000000000
    error_message = "edge_auth_rate_limit_5min must be between 10 and 2000000000."
  }
}

variable "edge_certificate_issued" {
  description = "Set by deploy-phased.sh from ACM: whether the edge_domain_name certificate is issued (then the domain is attached)."
  type        = bool
  default     = false
}
