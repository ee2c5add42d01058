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
