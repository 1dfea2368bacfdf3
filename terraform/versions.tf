# Root example: one Vault cluster in a primary region and its DR standby in a second
# region, with S3 replication between them and a Route 53 failover record in front.
terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.30, < 6.0"
    }
  }

  # Configure a remote state backend (S3 + locking) for real use, e.g. with
  # `terraform init -backend-config=backend.hcl`; the state holds no Vault secret.
}

provider "aws" {
  alias  = "primary"
  region = var.primary.region
  default_tags {
    tags = var.tags
  }
}

provider "aws" {
  alias  = "dr"
  region = var.dr.region
  default_tags {
    tags = var.tags
  }
}
