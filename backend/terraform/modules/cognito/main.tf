resource "aws_cognito_user_pool" "this" {
  name                     = var.user_pool_name
  username_attributes      = ["email"]
  auto_verified_attributes = ["email"]
  deletion_protection      = var.deletion_protection ? "ACTIVE" : "INACTIVE"

  username_configuration {
    case_sensitive = false
  }

  # Mirrors the app's validation: >= 8 chars with upper, lower, digit and symbol
  # (the app additionally caps passwords at 128 characters).
  password_policy {
    minimum_length                   = 8
    require_uppercase                = true
    require_lowercase                = true
    require_numbers                  = true
    require_symbols                  = true
    temporary_password_validity_days = 7
  }

  # Optional TOTP (software token) MFA, managed by the app's /v1/auth/mfa/* endpoints.
  # TOTP is the API's own (secrets sealed in DynamoDB, codes checked by the function), so that
  # no API call needs the user's access token and the access tokens can carry no self-service
  # scope (the pre-token-generation trigger below). Cognito's MFA is off.
  mfa_configuration = "OFF"

  # Access-token customisation in the pre-token-generation trigger (event version 2) needs the
  # Essentials feature plan.
  user_pool_tier = "ESSENTIALS"

  account_recovery_setting {
    recovery_mechanism {
      name     = "verified_email"
      priority = 1
    }
  }

  # Cognito's default sender has a small daily quota that anyone can use up with a few register
  # or reset calls; with an SES identity the mail goes through the account's own SES quota.
  email_configuration {
    email_sending_account = var.ses_identity_arn == null ? "COGNITO_DEFAULT" : "DEVELOPER"
    source_arn            = var.ses_identity_arn
    from_email_address    = var.ses_identity_arn == null ? null : var.ses_from_address
  }

  verification_message_template {
    default_email_option = "CONFIRM_WITH_CODE"
  }

  # The api-handler function renders verification / reset e-mails (CustomMessage
  # trigger). Set only once the function exists (phase 3).
  dynamic "lambda_config" {
    for_each = var.custom_message_lambda_arn == null ? [] : [var.custom_message_lambda_arn]
    content {
      custom_message = lambda_config.value
      # Every access token loses aws.cognito.signin.user.admin: a stolen token cannot change
      # MFA, the password or delete the user through Cognito directly.
      pre_token_generation_config {
        lambda_arn     = lambda_config.value
        lambda_version = "V2_0"
      }
    }
  }
}

resource "aws_cognito_user_pool_client" "app" {
  name         = "${var.user_pool_name}-app"
  user_pool_id = aws_cognito_user_pool.this.id

  # A confidential client: every user-flow call (SignUp, InitiateAuth, ForgotPassword, ...)
  # needs SECRET_HASH, so only the API, which reads the secret from Cognito at start, can make
  # them. The secret is never a Terraform output or in the function's environment.
  generate_secret     = true
  explicit_auth_flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]

  access_token_validity  = 60
  id_token_validity      = 60
  refresh_token_validity = 30
  token_validity_units {
    access_token  = "minutes"
    id_token      = "minutes"
    refresh_token = "days"
  }

  # The user may read their profile attributes but never change the email through Cognito's
  # self-service API (UpdateUserAttributes with a stolen access token): only names are writable.
  read_attributes  = ["email", "email_verified", "given_name", "family_name"]
  write_attributes = ["given_name", "family_name"]

  prevent_user_existence_errors = "ENABLED"
  enable_token_revocation       = true
}
