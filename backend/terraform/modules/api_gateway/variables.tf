variable "api_name" {
  type = string
}

variable "function_name" {
  type = string
}

variable "function_arn" {
  type = string
}

variable "routes" {
  description = "Route key (\"METHOD /path\") => true when the JWT authorizer protects it."
  type        = map(bool)
}

variable "jwt_issuer" {
  type = string
}

variable "jwt_audience" {
  type = list(string)
}

variable "throttle_rate_limit" {
  type = number
}

variable "throttle_burst_limit" {
  type = number
}

variable "log_retention_days" {
  type = number
}

variable "function_qualifier" {
  description = "The alias the integration invokes (its ARN is function_arn)."
  type        = string
}

variable "cors" {
  description = "The HTTP API's CORS configuration (locals.tf `cors`)."
  type = object({
    allow_origins   = list(string)
    allow_methods   = list(string)
    allow_headers   = list(string)
    expose_headers  = list(string)
    max_age_seconds = number
  })
}
