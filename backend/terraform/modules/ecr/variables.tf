variable "repository_name" {
  type = string
}

variable "function_arn" {
  description = "ARN of the only function allowed to pull from this repository."
  type        = string
}
