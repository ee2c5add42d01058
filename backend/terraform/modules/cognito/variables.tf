variable "user_pool_name" {
  type = string
}

variable "deletion_protection" {
  type = bool
}

variable "custom_message_lambda_arn" {
  description = "Function for the CustomMessage trigger; null = no trigger (phase 1)."
  type        = string
  default     = null
}

variable "ses_identity_arn" {
  description = "Verified SES identity for Cognito's mail (DEVELOPER); null = COGNITO_DEFAULT."
  type        = string
  default     = null
}

variable "ses_from_address" {
  type    = string
  default = null
}
