variable "environment" {
  type = string
}

variable "account_id" {
  type = string
}

variable "region" {
  type = string
}

variable "state_bucket" {
  type = string
}

variable "promote_from_repository_arn" {
  description = "prod only: the dev ECR repository prod promotes images from (default: lifestyle-app-dev in this account)."
  type        = string
  default     = null
}
