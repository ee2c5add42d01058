resource "aws_ecr_repository" "this" {
  #checkov:skip=CKV_AWS_136:AES256 (ECR-managed) encryption; a customer KMS key per environment adds cost and key-policy coupling with no access-control gain for a private, same-account repository.
  name                 = var.repository_name
  image_tag_mutability = "IMMUTABLE"
  force_delete         = false

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "AES256"
  }
}

resource "aws_ecr_lifecycle_policy" "this" {
  repository = aws_ecr_repository.this.name
  policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "Drop untagged images after 7 days"
        selection = {
          tagStatus   = "untagged"
          countType   = "sinceImagePushed"
          countUnit   = "days"
          countNumber = 7
        }
        action = { type = "expire" }
      },
      {
        rulePriority = 2
        description  = "Keep the 30 newest api-handler images (rollback window)"
        selection = {
          tagStatus     = "tagged"
          tagPrefixList = ["api-handler-"]
          countType     = "imageCountMoreThan"
          countNumber   = 30
        }
        action = { type = "expire" }
      }
    ]
  })
}

# Lets the Lambda service pull images for this environment's function only. Same Sid as the
# statement Lambda adds on its own, so Lambda finds it present and nothing drifts.
resource "aws_ecr_repository_policy" "lambda_pull" {
  repository = aws_ecr_repository.this.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "LambdaECRImageRetrievalPolicy" # the Sid Lambda itself would add
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
      Condition = {
        StringLike = { "aws:sourceArn" = var.function_arn }
      }
    }]
  })
}
