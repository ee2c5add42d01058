variable "create_function" {
  description = "false in phase 1: only the log group exists."
  type        = bool
}

variable "function_name" {
  type = string
}

variable "log_group_name" {
  type = string
}

variable "log_retention_days" {
  type = number
}

variable "role_arn" {
  type = string
}

variable "repository_name" {
  type = string
}

variable "repository_url" {
  type = string
}

variable "image_tag" {
  type = string
}

variable "architecture" {
  type = string
}

variable "memory_mb" {
  type = number
}

variable "timeout_s" {
  type = number
}

variable "user_pool_arn" {
  type = string
}

variable "environment_variables" {
  type = map(string)
}
