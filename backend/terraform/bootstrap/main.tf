locals {
  oidc_host = "token.actions.githubusercontent.com"
  oidc_arn  = "arn:aws:iam::${var.aws_account_id}:oidc-provider/${local.oidc_host}"
}

# ------------------------------------------------------------------ state bucket
resource "aws_s3_bucket" "state" {
  #checkov:skip=CKV_AWS_18:Access logging for the state bucket would need a second bucket; CloudTrail records who touched the state.
  #checkov:skip=CKV_AWS_144:Cross-region replication is not needed: versioning keeps every state revision and the state can be rebuilt by import.
  #checkov:skip=CKV_AWS_145:SSE-S3 (AES256) encryption; a customer KMS key adds cost and key-policy coupling for the deploy roles.
  #checkov:skip=CKV2_AWS_62:No consumer for state-bucket event notifications.
  bucket = var.state_bucket_name
}

resource "aws_s3_bucket_versioning" "state" {
  bucket = aws_s3_bucket.state.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_public_access_block" "state" {
  bucket                  = aws_s3_bucket.state.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_lifecycle_configuration" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    id     = "old-state-versions"
    status = "Enabled"
    filter {
      prefix = ""
    }
    noncurrent_version_expiration {
      noncurrent_days = 90
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

resource "aws_s3_bucket_policy" "state_tls_only" {
  bucket = aws_s3_bucket.state.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.state.arn, "${aws_s3_bucket.state.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
}

# ------------------------------------------------------------------ GitHub OIDC
resource "aws_iam_openid_connect_provider" "github" {
  count          = var.create_oidc_provider ? 1 : 0
  url            = "https://${local.oidc_host}"
  client_id_list = ["sts.amazonaws.com"]
  # AWS validates GitHub's certificate chain itself; the value is still required by the API.
  thumbprint_list = ["6938fd4d98bab03faadb97b34396831e3780aea1"]
}

data "aws_iam_policy_document" "trust" {
  #checkov:skip=CKV_AWS_358:The sub claim is pinned with StringEquals to repo:<github_repository>:environment:<env>; checkov cannot resolve the repository variable and so cannot classify it.
  for_each = toset(var.environments)

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [local.oidc_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:aud"
      values   = ["sts.amazonaws.com"]
    }
    # Only jobs of this repository that run in the matching GitHub environment.
    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:sub"
      values   = ["repo:${var.github_repository}:environment:${each.key}"]
    }
  }
}

resource "aws_iam_role" "deploy" {
  for_each = toset(var.environments)

  name               = "github-deploy-lifestyle-backend-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.trust[each.key].json
  # the deploy job's whole run (build, three applies, canary, propagation retries): 2 hours
  max_session_duration = 7200
  depends_on           = [aws_iam_openid_connect_provider.github]
}

resource "aws_iam_role_policy" "deploy" {
  for_each = toset(var.environments)

  name   = "deploy-lifestyle-backend-${each.key}"
  role   = aws_iam_role.deploy[each.key].id
  policy = module.deploy_policy[each.key].json
}

# The ceiling of the function's role in each environment (see deploy_policy): created here, by
# an administrator, so the pipeline that must attach it cannot change it.
resource "aws_iam_policy" "boundary" {
  for_each = toset(var.environments)

  name        = module.deploy_policy[each.key].boundary_name
  description = "Permissions boundary of api-handler-${each.key}-exec: the function's run-time calls on ${each.key}'s resources"
  policy      = module.deploy_policy[each.key].boundary_json
}

module "deploy_policy" {
  source   = "./deploy_policy"
  for_each = toset(var.environments)

  environment  = each.key
  account_id   = var.aws_account_id
  region       = var.aws_region
  state_bucket = aws_s3_bucket.state.bucket
}
