output "role_arn" {
  value = aws_iam_role.exec.arn
}

output "role_name" {
  value = aws_iam_role.exec.name
}
