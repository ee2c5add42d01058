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

variable "metrics_namespace" {
  description = "The function's EMF namespace (LifestyleBackend/<env>)."
  type        = string
}

variable "failed_login_5min" {
  description = "Wrong-password sign-ins in 5 minutes that raise the alarm (credential stuffing, spraying)."
  type        = number
}

variable "failed_mfa_5min" {
  description = "Wrong MFA codes in 5 minutes that raise the alarm."
  type        = number
}

variable "ses_enabled" {
  description = "Cognito mails through SES: alarm on its bounce and complaint rates."
  type        = bool
  default     = false
}

variable "account_id" {
  type = string
}

variable "region" {
  type = string
}

variable "table_name" {
  description = "The users table, for its throttle alarm and the dashboard."
  type        = string
}

variable "subscriptions" {
  description = "Who receives the alarms: { protocol = \"email\" | \"https\", endpoint = address or URL }."
  type        = list(object({ protocol = string, endpoint = string }))
  default     = []
}

variable "key_deletion_window_days" {
  description = "Days a deleted alarm-topic key can be restored."
  type        = number
  default     = 30
}

variable "user_pool_id" {
  description = "For Cognito's own throttle metrics on the dashboard."
  type        = string
}

variable "user_pool_client_id" {
  type = string
}

variable "function_version" {
  description = "The newest published version: the one the canary alarm watches."
  type        = string
}

variable "alias_name" {
  description = "The alias traffic goes through (Lambda's Resource dimension is <function>:<alias>)."
  type        = string
}

variable "canary_error_rate_pct" {
  description = "Failed calls of the new version, % of its invocations in a minute, above which the canary stops."
  type        = number
}

variable "throttle_pct_threshold" {
  description = "Throttled invocations, % of all attempts in 5 minutes, above which the throttles alarm fires."
  type        = number
  default     = 5
}
