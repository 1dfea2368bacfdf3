# terraform test of the S3-quarantine recovery identity (recovery_iam.tf, outputs.tf;
# docs/s3-recovery.md), offline with the mocked AWS provider. Same inputs as
# recovery_network.tftest.hcl.

mock_provider "aws" {
  source = "./tests/mocks"
}

# The shared mocks give every bucket, role and table one ARN: tell them apart here, so a
# grant on "the live bucket" cannot pass for a grant on some other resource.
override_resource {
  target = aws_s3_bucket.this["data"]
  values = { arn = "arn:aws:s3:::prod-vault-data-us-east-1-111122223333", id = "prod-vault-data-us-east-1-111122223333" }
}
override_resource {
  target = aws_s3_bucket.this["resources"]
  values = { arn = "arn:aws:s3:::prod-vault-resources-us-east-1-111122223333", id = "prod-vault-resources-us-east-1-111122223333" }
}
override_resource {
  target = aws_dynamodb_table.ha
  values = { arn = "arn:aws:dynamodb:us-east-1:111122223333:table/prod-vault-ha" }
}
override_resource {
  target = aws_iam_role.node
  values = { arn = "arn:aws:iam::111122223333:role/prod-vault-us-east-1-node" }
}
override_resource {
  target = aws_iam_role.recovery
  values = { arn = "arn:aws:iam::111122223333:role/prod-vault-us-east-1-recovery" }
}
# Production subnets: two node subnets and one ALB subnet with their own ranges.
override_data {
  target = data.aws_subnet.production["subnet-a"]
  values = { cidr_block = "10.0.1.0/24" }
}
override_data {
  target = data.aws_subnet.production["subnet-b"]
  values = { cidr_block = "10.0.2.0/24" }
}
override_data {
  target = data.aws_subnet.production["subnet-alb"]
  values = { cidr_block = "10.0.3.0/24" }
}

variables {
  name                       = "prod"
  role                       = "primary"
  vpc_id                     = "vpc-0123456789abcdef0"
  instance_subnet_ids        = ["subnet-a", "subnet-b", "subnet-b"]
  alb_subnet_ids             = ["subnet-alb", "subnet-a"]
  alb_ingress_cidrs          = ["10.0.0.0/8"]
  operator_cidrs             = ["10.20.0.0/24"]
  alb_certificate_arn        = "arn:aws:acm:us-east-1:111122223333:certificate/00000000-0000-0000-0000-000000000000"
  ami_id                     = "ami-0123456789abcdef0"
  tls_cert_parameter         = "/vault/prod/tls/cert"
  tls_key_parameter          = "/vault/prod/tls/key"
  tls_ca_parameter           = "/vault/prod/tls/ca"
  tls_parameters_kms_key_arn = "arn:aws:kms:us-east-1:111122223333:key/11111111-1111-1111-1111-111111111111"
  replication = {
    data_bucket_arn      = "arn:aws:s3:::prod-vault-data-us-west-2-111122223333"
    resources_bucket_arn = "arn:aws:s3:::prod-vault-resources-us-west-2-111122223333"
    kms_key_arn          = "arn:aws:kms:us-west-2:111122223333:key/00000000-0000-0000-0000-0000000000d2"
  }
  recovery = {
    subnet_cidr            = "10.0.9.0/28"
    operator_cidr          = "10.20.0.0/24"
    endpoint_cidrs         = ["10.0.8.0/26"]
    s3_gateway_endpoint_id = "vpce-0123456789abcdef0"
  }
}

run "recovery_is_off_by_default" {
  command = apply
  variables {
    recovery = null
  }

  assert {
    condition = (length(aws_iam_role.recovery) == 0 && length(aws_iam_instance_profile.recovery) == 0 &&
    length(aws_subnet.recovery) == 0 && length(aws_network_acl.recovery) == 0 && length(aws_route_table.recovery) == 0)
    error_message = "Without var.recovery the module must make no recovery role, profile, subnet, route table or NACL."
  }
  assert {
    condition     = output.recovery_profile == null && output.recovery_subnet_id == null && output.recovery_instance_profile == null && output.recovery_role_arn == null
    error_message = "Without var.recovery the recovery outputs must be null."
  }
  assert {
    condition     = alltrue([for d in data.aws_iam_policy_document.bucket : length([for s in d.statement : s if s.sid == "DenyRecoveryRole"]) == 0])
    error_message = "Without a recovery role the bucket policies must not name one."
  }
}

run "recovery_role_has_no_grant_on_live_data" {
  command = apply

  # The role's own policy: no S3 or DynamoDB action allowed at all, and no allowed
  # resource that is a live or DR bucket, or the lock table.
  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role_policy.recovery[0].policy).Statement :
      alltrue([for a in s.Action : !startswith(a, "s3:") && !startswith(a, "dynamodb:")]) if s.Effect == "Allow"
    ])
    error_message = "The recovery role must be allowed no S3 or DynamoDB action (the quarantine bucket's policy grants it that bucket)."
  }
  assert {
    condition = alltrue(flatten([
      for s in jsondecode(aws_iam_role_policy.recovery[0].policy).Statement : [
        for r in s.Resource : !strcontains(r, "prod-vault-data") && !strcontains(r, "prod-vault-resources") && !strcontains(r, "table/prod-vault-ha") && r != "*"
      ] if s.Effect == "Allow"
    ]))
    error_message = "No Allow statement of the recovery role may name a live bucket, the lock table or *."
  }
  # The cluster key only through S3 and only for quarantine buckets.
  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role_policy.recovery[0].policy).Statement :
      s.Condition.StringEquals["kms:ViaService"] == "s3.us-east-1.amazonaws.com" &&
      s.Condition.StringLike["kms:EncryptionContext:aws:s3:arn"] == ["arn:aws:s3:::vault-quarantine-*", "arn:aws:s3:::vault-quarantine-*/*"]
      if s.Effect == "Allow" && contains(s.Resource, "arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000001")
    ])
    error_message = "The recovery role may use the cluster key only through S3 for vault-quarantine-* buckets."
  }
  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_role_policy.recovery[0].policy).Statement : s.Action if s.Effect == "Allow"
    ])) == toset(["ssm:GetParameter", "kms:Decrypt", "kms:GenerateDataKey"])
    error_message = "The recovery role is allowed exactly ssm:GetParameter, kms:Decrypt and kms:GenerateDataKey (no auto-unseal key here)."
  }
  # The belt and braces: an explicit Deny on the live and DR buckets and the lock table.
  assert {
    condition = length([
      for s in jsondecode(aws_iam_role_policy.recovery[0].policy).Statement : s
      if s.Effect == "Deny" && s.Action == ["s3:*"] && length(setsubtract([
        "arn:aws:s3:::prod-vault-data-us-east-1-111122223333",
        "arn:aws:s3:::prod-vault-data-us-east-1-111122223333/*",
        "arn:aws:s3:::prod-vault-resources-us-east-1-111122223333/*",
        "arn:aws:s3:::prod-vault-data-us-west-2-111122223333",
        "arn:aws:s3:::prod-vault-data-us-west-2-111122223333/*",
        "arn:aws:s3:::prod-vault-*",
        "arn:aws:s3:::prod-vault-*/*",
      ], s.Resource)) == 0
    ]) == 1
    error_message = "The recovery role needs one Deny of s3:* on the live and DR buckets and their objects."
  }
  assert {
    condition = length([
      for s in jsondecode(aws_iam_role_policy.recovery[0].policy).Statement : s
      if s.Effect == "Deny" && s.Action == ["dynamodb:*"] && contains(s.Resource, "arn:aws:dynamodb:us-east-1:111122223333:table/prod-vault-ha") && contains(s.Resource, "arn:aws:dynamodb:*:111122223333:table/prod-vault-ha")
    ]) == 1
    error_message = "The recovery role needs a Deny of dynamodb:* on the lock table, in every region."
  }
  # And the live buckets' own policies deny it, whatever its IAM policy becomes.
  assert {
    condition = alltrue([
      for k, d in data.aws_iam_policy_document.bucket : length([
        for s in d.statement : s if s.sid == "DenyRecoveryRole" && s.effect == "Deny" && toset(s.actions) == toset(["s3:*"]) &&
        toset(flatten([for p in s.principals : p.identifiers])) == toset(["arn:aws:iam::111122223333:role/prod-vault-us-east-1-recovery"]) &&
        contains(s.resources, "${aws_s3_bucket.this[k].arn}/*") && contains(s.resources, aws_s3_bucket.this[k].arn)
      ]) == 1
    ])
    error_message = "The data and resources buckets' policies must deny the recovery role s3:* on the bucket and its objects."
  }
}

run "recovery_profile_is_not_the_production_one" {
  command = apply

  assert {
    condition     = aws_iam_instance_profile.recovery[0].name != aws_iam_instance_profile.node.name && aws_iam_instance_profile.recovery[0].name == "prod-vault-us-east-1-recovery"
    error_message = "The recovery instance profile must be its own, not the nodes' one."
  }
  assert {
    condition     = aws_iam_instance_profile.recovery[0].role == aws_iam_role.recovery[0].name && aws_iam_role.recovery[0].name != aws_iam_role.node.name
    error_message = "The recovery instance profile must hold the recovery role, not the nodes' role."
  }
  assert {
    condition     = aws_iam_role.recovery[0].arn != aws_iam_role.node.arn
    error_message = "The recovery role must not be the nodes' role."
  }
  assert {
    condition     = output.recovery_role_arn != output.node_role_arn
    error_message = "The recovery_role_arn output must not be the nodes' role."
  }
}

run "recovery_outputs_are_the_profile_section" {
  command = apply

  assert {
    condition = (output.recovery_subnet_id == aws_subnet.recovery[0].id &&
      output.recovery_instance_profile == "prod-vault-us-east-1-recovery" &&
    output.recovery_role_arn == "arn:aws:iam::111122223333:role/prod-vault-us-east-1-recovery")
    error_message = "recovery_subnet_id, recovery_instance_profile and recovery_role_arn must be the subnet, the profile's name and the role's ARN."
  }
  assert {
    condition = toset(keys(output.recovery_profile)) == toset([
      "subnet_id", "instance_profile", "role_arn", "operator_cidr", "egress_cidrs", "egress_prefix_lists",
    ])
    error_message = "recovery_profile must hold only fields of the profile's recovery section (src/domain/schema.ts RecoverySchema)."
  }
  assert {
    condition = (output.recovery_profile.subnet_id == output.recovery_subnet_id &&
      output.recovery_profile.instance_profile == output.recovery_instance_profile &&
      output.recovery_profile.role_arn == output.recovery_role_arn &&
      output.recovery_profile.operator_cidr == "10.20.0.0/24" &&
      tolist(output.recovery_profile.egress_cidrs) == tolist(["10.0.8.0/26"]) &&
    tolist(output.recovery_profile.egress_prefix_lists) == tolist(["pl-63a5400a"]))
    error_message = "recovery_profile must carry the subnet, profile, role, operator CIDR, the interface endpoints (not the VPC CIDR) and the S3 endpoint's prefix list."
  }
  assert {
    condition     = can(regex("^subnet-[0-9a-f]+$", output.recovery_profile.subnet_id)) && can(regex("^arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]+$", output.recovery_profile.role_arn))
    error_message = "recovery_profile values must pass the profile schema's patterns."
  }
}
