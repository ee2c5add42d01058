provider "aws" {
  region = var.aws_region

  # Refuses to touch any account but the one this environment belongs to.
  allowed_account_ids = [var.aws_account_id]

  # Endpoints are NOT configured here. For an emulator set AWS_ENDPOINT_URL in the
  # environment (honoured by the AWS provider v5 and the AWS CLI); production
  # runs use the real AWS endpoints.

  default_tags {
    tags = {
      Project     = "lifestyle-backend"
      Environment = var.environment
      ManagedBy   = "terraform"
    }
  }
}
