variable "secret_name" {
  description = "Name of the master-key secret (api-handler-<env>-master-key)."
  type        = string
}

variable "recovery_window_days" {
  description = "Days a deleted secret can still be restored (0 = at once)."
  type        = number
}

variable "key_version" {
  description = "Bump to write a new random master key (rotation)."
  type        = number
  default     = 1
}

variable "secret_name_prefix" {
  description = "api-handler-<env>: the API-keys secret is <prefix>-api-keys."
  type        = string
}

variable "api_keys_enabled" {
  type    = bool
  default = false
}

variable "edge_enabled" {
  type    = bool
  default = false
}

variable "edge_secret_version" {
  description = "Bump to write a new edge origin secret (rotation)."
  type        = number
  default     = 1
}
