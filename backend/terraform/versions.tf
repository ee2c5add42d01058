terraform {
  # 1.11+: write-only arguments (the master key value); 1.10+: S3 native state locking.
  required_version = ">= 1.11.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0" # exact: prod runs the provider the rehearsal ran (Dependabot proposes updates)
    }
  }
}
