provider "aws" {
  region = var.aws_region

  # Refuses to touch any account but the one this environment belongs to.
  allowed_account_ids = [var.aws_account_id]

  # Endpoints are NOT configured here. For an emulator set AWS_ENDPOINT_URL in the
  # environment (honoured by the AWS provider v5 and the AWS CLI); production
  # runs use the real AWS endpoints.

  default_tags {
    tags = local.default_tags
  }
}

# CloudFront's certificates and web ACLs live in us-east-1 whatever the environment's region
# (the optional edge module only).
provider "aws" {
  alias               = "us_east_1"
  region              = "us-east-1"
  allowed_account_ids = [var.aws_account_id]

  default_tags {
    tags = local.default_tags
  }
}

locals {
  # Every resource of both providers carries these (the deploy roles' tag conditions read Environment).
  default_tags = {
    Project     = "lifestyle-backend"
    Environment = var.environment
    ManagedBy   = "terraform"
  }
}
