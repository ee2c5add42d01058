variable "role_name" {
  type = string
}

variable "account_id" {
  type = string
}

variable "table_arn" {
  type = string
}

variable "user_pool_arn" {
  type = string
}

variable "log_group_arn" {
  description = "ARN of the function's log group (without the trailing :*)."
  type        = string
}

variable "app_secret_arn" {
  description = "ARN of the master-key secret the function reads at start (APP_SECRET_ID)."
  type        = string
}

variable "permissions_boundary_arn" {
  description = "The environment's permissions boundary (terraform/bootstrap: lifestyle-backend-<env>-boundary)."
  type        = string
}

variable "api_keys_secret_arn" {
  description = "The API-keys secret, when the environment requires API keys (else null)."
  type        = string
  default     = null
}

variable "edge_secret_arn" {
  description = "The edge origin secret, when the environment has the edge on (else null)."
  type        = string
  default     = null
}
