# The optional edge: CloudFront in front of the HTTP API, AWS WAF on CloudFront, and a custom
# domain with an ACM certificate. An HTTP API can take neither a WAF web ACL nor usage-plan API
# keys itself; CloudFront can take the web ACL, and the function checks that every request came
# through it (X-Origin-Verify, see Sources/LifestyleCore/Support/EdgeOrigin.swift). CloudFront's
# web ACL and certificate must be in us-east-1 (the aws.us_east_1 provider).

locals {
  origin_domain = trimsuffix(trimprefix(var.api_endpoint, "https://"), "/")
  # AWS-managed CloudFront policies (IDs are fixed across accounts): nothing is cached (every
  # answer is per user), every viewer header but Host goes to the API (API Gateway routes by its
  # own Host), plus CloudFront's own headers such as CloudFront-Viewer-Address; HSTS and the
  # usual security headers on every answer.
  cache_policy_caching_disabled         = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
  origin_request_all_viewer_except_host = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
  response_headers_security_headers     = "67f7725c-6f97-4210-82d7-5512b31e9d03"
  waf_metric                            = replace(var.name_prefix, "-", "")
}

data "aws_secretsmanager_secret_version" "origin" {
  secret_id  = var.origin_secret_arn
  version_id = var.origin_secret_version
}

# -- certificate (custom domain only) -------------------------------------------------------
resource "aws_acm_certificate" "edge" {
  provider          = aws.us_east_1
  count             = var.domain_name != null ? 1 : 0
  domain_name       = var.domain_name
  validation_method = "DNS"

  lifecycle {
    create_before_destroy = true
  }
}

# No apply waits for the certificate: its DNS record is known only once it is requested, and
# whoever holds the domain's DNS adds it after this apply printed it (once; ACM renews through
# the same record). Until ACM has issued it the distribution answers at its *.cloudfront.net
# name; the first deploy after issue (deploy-phased.sh reads the status: certificate_issued)
# attaches the domain and the certificate.
locals {
  custom_domain = var.domain_name != null && var.certificate_issued
}

# -- WAF ------------------------------------------------------------------------------------
resource "aws_wafv2_web_acl" "edge" {
  provider    = aws.us_east_1
  name        = "${var.name_prefix}-edge"
  description = "In front of ${var.name_prefix}: sign-in and sign-up per-address rate limit, AWS common and known-bad-inputs rules."
  scope       = "CLOUDFRONT"

  default_action {
    allow {}
  }

  # Credential stuffing and sign-up floods from one address, before they cost a Lambda
  # invocation; the function's own per-address and per-account limits stay behind it.
  rule {
    name     = "auth-rate-per-address"
    priority = 0

    action {
      block {}
    }

    statement {
      rate_based_statement {
        limit                 = var.auth_rate_limit_5min
        aggregate_key_type    = "IP"
        evaluation_window_sec = 300

        scope_down_statement {
          byte_match_statement {
            search_string         = "/v1/auth/"
            positional_constraint = "STARTS_WITH"
            field_to_match {
              uri_path {}
            }
            text_transformation {
              priority = 0
              type     = "NONE"
            }
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${local.waf_metric}AuthRate"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "aws-common"
    priority = 1

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesCommonRuleSet"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${local.waf_metric}Common"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "aws-known-bad-inputs"
    priority = 2

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesKnownBadInputsRuleSet"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${local.waf_metric}KnownBadInputs"
      sampled_requests_enabled   = true
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = "${local.waf_metric}Edge"
    sampled_requests_enabled   = true
  }
}

# WAF logs (the name must start with aws-waf-logs-), with the credentials a request carries
# redacted: tokens and API keys never reach a log line.
resource "aws_cloudwatch_log_group" "waf" {
  #checkov:skip=CKV_AWS_158:Encrypted by CloudWatch Logs' own key, like the function's log group; credentials are redacted before the WAF writes.
  #checkov:skip=CKV_AWS_338:Kept for the environment's retention (7 days dev, 30 prod), like the function's logs; a year of WAF logs is not worth its cost here.
  provider          = aws.us_east_1
  name              = "aws-waf-logs-${var.name_prefix}"
  retention_in_days = var.waf_log_retention_days
}

resource "aws_wafv2_web_acl_logging_configuration" "edge" {
  provider                = aws.us_east_1
  resource_arn            = aws_wafv2_web_acl.edge.arn
  log_destination_configs = [aws_cloudwatch_log_group.waf.arn]

  redacted_fields {
    single_header {
      name = "authorization"
    }
  }
  redacted_fields {
    single_header {
      name = "x-api-key"
    }
  }
  redacted_fields {
    single_header {
      name = "cookie"
    }
  }
}

# -- CloudFront -----------------------------------------------------------------------------
resource "aws_cloudfront_distribution" "api" {
  #checkov:skip=CKV_AWS_86:No CloudFront access logs: they need an S3 bucket with ACLs; every request is already in the WAF log (credentials redacted) and in the function's log line.
  #checkov:skip=CKV_AWS_310:One origin (the HTTP API, itself regional and managed); an origin group would need a second region's deployment.
  #checkov:skip=CKV_AWS_305:An API, not a website: there is no root object to serve.
  #checkov:skip=CKV_AWS_374:No geo restriction: the app has users everywhere.
  #checkov:skip=CKV2_AWS_42:The custom certificate is used whenever edge_domain_name is set; without a domain the distribution's own *.cloudfront.net certificate is the only one there is.
  #checkov:skip=CKV2_AWS_32:A response headers policy is attached: AWS's managed SecurityHeadersPolicy, by its fixed id, which the graph check does not recognise as a policy resource.
  #checkov:skip=CKV2_AWS_47:The web ACL's rule aws-known-bad-inputs is AWSManagedRulesKnownBadInputsRuleSet with nothing excluded (Log4JRCE included); the graph check does not follow the web ACL through the us_east_1 provider alias.
  #checkov:skip=CKV_AWS_174:TLSv1.2_2021 is set whenever a custom certificate is used; CloudFront's default certificate takes no minimum version.
  enabled         = true
  is_ipv6_enabled = true
  comment         = "${var.name_prefix}: WAF in front of the HTTP API"
  price_class     = "PriceClass_100"
  aliases         = local.custom_domain ? [var.domain_name] : []
  web_acl_id      = aws_wafv2_web_acl.edge.arn
  http_version    = "http2and3"

  origin {
    origin_id   = "http-api"
    domain_name = local.origin_domain

    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
    }

    custom_header {
      name  = "X-Origin-Verify"
      value = data.aws_secretsmanager_secret_version.origin.secret_string
    }
  }

  default_cache_behavior {
    target_origin_id           = "http-api"
    allowed_methods            = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]
    cached_methods             = ["GET", "HEAD"]
    viewer_protocol_policy     = "https-only"
    compress                   = true
    cache_policy_id            = local.cache_policy_caching_disabled
    origin_request_policy_id   = local.origin_request_all_viewer_except_host
    response_headers_policy_id = local.response_headers_security_headers
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = !local.custom_domain
    acm_certificate_arn            = local.custom_domain ? aws_acm_certificate.edge[0].arn : null
    ssl_support_method             = local.custom_domain ? "sni-only" : null
    minimum_protocol_version       = local.custom_domain ? "TLSv1.2_2021" : "TLSv1"
  }
}
