# One-time, per-AWS-account bootstrap (run by an administrator, local state):
# the Terraform state bucket and the GitHub OIDC deploy role(s) that
# .github/workflows/deploy-backend-unified.yml assumes. See docs/deployment-guide.md.
terraform {
  required_version = ">= 1.11.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0" # exact: prod runs the provider the rehearsal ran (Dependabot proposes updates)
    }
  }
}

provider "aws" {
  region              = var.aws_region
  allowed_account_ids = [var.aws_account_id]

  default_tags {
    tags = {
      Project   = "lifestyle-backend"
      ManagedBy = "terraform-bootstrap"
    }
  }
}
