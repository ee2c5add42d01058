variable "name_prefix" {
  type = string
}

variable "function_name" {
  type = string
}

variable "api_id" {
  type = string
}

variable "api_stage" {
  type = string
}

variable "error_rate_threshold" {
  description = "Percent of invocations that error."
  type        = number
}

variable "p99_duration_ms" {
  type = number
}

variable "api_5xx_threshold" {
  type = number
}
