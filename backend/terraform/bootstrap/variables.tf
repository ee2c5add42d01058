variable "aws_account_id" {
  description = "The account being bootstrapped."
  type        = string
}

variable "aws_region" {
  type    = string
  default = "us-east-1"
}

variable "environments" {
  description = "Environments that live in this account (dev, prod or both)."
  type        = list(string)

  validation {
    condition     = length(var.environments) > 0 && alltrue([for e in var.environments : contains(["dev", "prod"], e)])
    error_message = "environments must be a non-empty subset of [\"dev\", \"prod\"]."
  }
}

variable "state_bucket_name" {
  description = "Globally unique name of the Terraform state bucket, e.g. lifestyle-tfstate-<account id>."
  type        = string
}

variable "github_repository" {
  description = "owner/name of the GitHub repository allowed to deploy."
  type        = string
}

variable "create_oidc_provider" {
  description = "false when the account already has the token.actions.githubusercontent.com provider."
  type        = bool
  default     = true
}
