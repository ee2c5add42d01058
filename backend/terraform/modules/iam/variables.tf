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
