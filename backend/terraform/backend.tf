# Remote state: one S3 object per environment, locked with S3 native lockfiles.
# Partial configuration - the values come from `terraform init -backend-config=...`
# (see scripts/deploy-phased.sh and docs/deployment-guide.md), e.g.
#   bucket=<state bucket> key=lifestyle-backend/<env>/terraform.tfstate
#   region=<region> use_lockfile=true encrypt=true
# Rehearsals/tests select a local backend with TF_STATE_BACKEND=local: the deploy
# script then writes the git-ignored `backend_local_override.tf`, which Terraform
# merges over this block (override files replace the backend type).
terraform {
  backend "s3" {}
}
