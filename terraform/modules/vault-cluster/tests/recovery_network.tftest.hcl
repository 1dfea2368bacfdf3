# terraform test of the S3-quarantine recovery network (recovery_network.tf;
# docs/s3-recovery.md), offline with the mocked AWS provider. Same inputs as
# recovery_iam.tftest.hcl.

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

run "recovery_network_acl_allows_only_the_vault_port_and_the_endpoints" {
  command = apply

  # Production subnets (by CIDR, each once) denied both ways, numbered before every allow.
  assert {
    condition = (toset([for r in aws_network_acl_rule.recovery_deny_production_in : r.cidr_block]) == toset(["10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"]) &&
    toset([for r in aws_network_acl_rule.recovery_deny_production_out : r.cidr_block]) == toset(["10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"]))
    error_message = "The NACL must deny every production subnet (node and ALB subnets) both ways."
  }
  assert {
    condition = alltrue([
      for r in concat(values(aws_network_acl_rule.recovery_deny_production_in), values(aws_network_acl_rule.recovery_deny_production_out)) :
      r.rule_action == "deny" && r.protocol == "-1" && r.rule_number < 200
    ])
    error_message = "Production denials must cover all protocols and come before the allow rules (numbers below 200)."
  }
  # In: the Vault port from the operator, and return traffic from the endpoints only.
  assert {
    condition = (aws_network_acl_rule.recovery_vault_from_operator[0].cidr_block == "10.20.0.0/24" &&
      aws_network_acl_rule.recovery_vault_from_operator[0].from_port == 8200 && aws_network_acl_rule.recovery_vault_from_operator[0].to_port == 8200 &&
      aws_network_acl_rule.recovery_vault_from_operator[0].protocol == "tcp" && !aws_network_acl_rule.recovery_vault_from_operator[0].egress &&
    aws_network_acl_rule.recovery_vault_from_operator[0].rule_action == "allow")
    error_message = "In: tcp 8200 from operator_cidr only."
  }
  assert {
    condition = (toset([for r in aws_network_acl_rule.recovery_https_return_from_endpoints : r.cidr_block]) == toset(["10.0.8.0/26", "52.216.0.0/15", "3.5.0.0/19"]) &&
      alltrue([for r in aws_network_acl_rule.recovery_https_return_from_endpoints : !r.egress && r.protocol == "tcp" && r.from_port == 1024 && r.to_port == 65535 && r.rule_action == "allow"])
    )
    error_message = "In: only return traffic (tcp 1024-65535) from the interface endpoints' subnets and the S3 endpoint's ranges."
  }
  # Out: 443 to the endpoints, and the return traffic of the operator's connections.
  assert {
    condition = (toset([for r in aws_network_acl_rule.recovery_https_to_endpoints : r.cidr_block]) == toset(["10.0.8.0/26", "52.216.0.0/15", "3.5.0.0/19"]) &&
      alltrue([for r in aws_network_acl_rule.recovery_https_to_endpoints : r.egress && r.protocol == "tcp" && r.from_port == 443 && r.to_port == 443 && r.rule_action == "allow"])
    )
    error_message = "Out: tcp 443 to the interface endpoints' subnets and the S3 endpoint's ranges only."
  }
  assert {
    condition = (aws_network_acl_rule.recovery_vault_return_to_operator[0].egress && aws_network_acl_rule.recovery_vault_return_to_operator[0].cidr_block == "10.20.0.0/24" &&
    aws_network_acl_rule.recovery_vault_return_to_operator[0].from_port == 1024 && aws_network_acl_rule.recovery_vault_return_to_operator[0].to_port == 65535)
    error_message = "Out: the operator's return traffic (tcp 1024-65535 to operator_cidr)."
  }
  # Rule numbers are unique per direction (AWS refuses duplicates).
  assert {
    condition = length(distinct(concat(
      [for r in aws_network_acl_rule.recovery_deny_production_in : r.rule_number],
      [for r in aws_network_acl_rule.recovery_vault_from_operator : r.rule_number],
      [for r in aws_network_acl_rule.recovery_https_return_from_endpoints : r.rule_number],
      ))) == 3 + 1 + 3 && length(distinct(concat(
      [for r in aws_network_acl_rule.recovery_deny_production_out : r.rule_number],
      [for r in aws_network_acl_rule.recovery_vault_return_to_operator : r.rule_number],
      [for r in aws_network_acl_rule.recovery_https_to_endpoints : r.rule_number],
    ))) == 3 + 1 + 3
    error_message = "NACL rule numbers must be unique in each direction."
  }
  assert {
    condition     = aws_network_acl.recovery[0].subnet_ids == toset([aws_subnet.recovery[0].id]) && !aws_subnet.recovery[0].map_public_ip_on_launch
    error_message = "The NACL must guard the recovery subnet, which gives no public IP."
  }
  # Its own route table, with no route of its own, and the S3 gateway endpoint on it.
  assert {
    condition = (aws_route_table_association.recovery[0].subnet_id == aws_subnet.recovery[0].id &&
      aws_route_table_association.recovery[0].route_table_id == aws_route_table.recovery[0].id &&
    length(aws_route_table.recovery[0].route) == 0)
    error_message = "The recovery subnet needs its own route table without routes."
  }
  assert {
    condition     = aws_vpc_endpoint_route_table_association.recovery_s3["vpce-0123456789abcdef0"].route_table_id == aws_route_table.recovery[0].id
    error_message = "The S3 gateway endpoint must be associated with the recovery route table."
  }
}

run "recovery_without_s3_gateway_endpoint_has_no_prefix_list" {
  command = apply
  variables {
    recovery = {
      subnet_cidr    = "10.0.9.0/28"
      operator_cidr  = "10.20.0.0/24"
      endpoint_cidrs = ["10.0.8.0/26"]
    }
  }

  assert {
    condition     = !contains(keys(output.recovery_profile), "egress_prefix_lists") && length(aws_vpc_endpoint_route_table_association.recovery_s3) == 0
    error_message = "Without an S3 gateway endpoint there is no association and no egress_prefix_lists."
  }
  assert {
    condition     = tolist(output.recovery_profile.egress_cidrs) == tolist(["10.0.8.0/26"])
    error_message = "Without an S3 gateway endpoint the profile section still names its egress (egress_cidrs = the interface endpoints): the profile requires egress_cidrs or egress_prefix_lists."
  }
  assert {
    condition     = toset([for r in aws_network_acl_rule.recovery_https_to_endpoints : r.cidr_block]) == toset(["10.0.8.0/26"])
    error_message = "Without an S3 gateway endpoint 443 goes to the interface endpoints only."
  }
}

# The nodes' security group admits operator_cidrs on 8200: a recovery subnet inside one
# would reach production, so it is refused.
run "recovery_subnet_inside_operator_cidrs_is_refused" {
  command = plan
  variables {
    operator_cidrs = ["10.20.0.0/24", "10.0.0.0/16"]
  }
  expect_failures = [aws_subnet.recovery]
}

run "recovery_endpoints_in_a_production_subnet_are_refused" {
  command = plan
  variables {
    recovery = {
      subnet_cidr    = "10.0.9.0/28"
      operator_cidr  = "10.20.0.0/24"
      endpoint_cidrs = ["10.0.2.128/26"]
    }
  }
  expect_failures = [aws_subnet.recovery]
}

run "recovery_open_to_anywhere_is_refused" {
  command = plan
  variables {
    recovery = {
      subnet_cidr    = "10.0.9.0/28"
      operator_cidr  = "0.0.0.0/0"
      endpoint_cidrs = ["10.0.8.0/26"]
    }
  }
  expect_failures = [var.recovery]
}
