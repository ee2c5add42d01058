terraform {
  # 1.10+: S3 native state locking (use_lockfile); 1.9+: cross-variable validation.
  required_version = ">= 1.10.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0" # exact: prod runs the provider the rehearsal ran (Dependabot proposes updates)
    }
  }
}
