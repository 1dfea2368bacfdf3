# terraform test of one region of the cluster, offline: the AWS provider is mocked, so these
# runs check what the module asks AWS for, not what AWS does with it. Run by
# scripts/ci-infra.sh (terraform init + test inside a copy of terraform/).

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name                       = "prod"
  role                       = "primary"
  vpc_id                     = "vpc-0123456789abcdef0"
  instance_subnet_ids        = ["subnet-a", "subnet-b", "subnet-c"]
  alb_subnet_ids             = ["subnet-a", "subnet-b", "subnet-c"]
  alb_ingress_cidrs          = ["10.0.0.0/8"]
  operator_cidrs             = ["10.20.0.0/24"]
  alb_certificate_arn        = "arn:aws:acm:us-east-1:111122223333:certificate/00000000-0000-0000-0000-000000000000"
  ami_id                     = "ami-0123456789abcdef0"
  tls_cert_parameter         = "/vault/prod/tls/cert"
  tls_key_parameter          = "/vault/prod/tls/key"
  tls_ca_parameter           = "/vault/prod/tls/ca"
  tls_parameters_kms_key_arn = "arn:aws:kms:us-east-1:111122223333:key/11111111-1111-1111-1111-111111111111"
}

run "only_the_active_node_passes_the_alb_health_check" {
  command = apply

  # /v1/sys/health answers 200 only on the active node (429 standby, 503 sealed, 501
  # uninitialised): a target group matching only 200 routes to the active node alone.
  assert {
    condition     = aws_lb_target_group.this.health_check[0].path == "/v1/sys/health"
    error_message = "The target group health check must probe /v1/sys/health."
  }
  assert {
    condition     = aws_lb_target_group.this.health_check[0].matcher == "200"
    error_message = "The target group health check must accept 200 only (standbys answer 429)."
  }
  assert {
    condition     = aws_lb_target_group.this.health_check[0].protocol == "HTTPS"
    error_message = "The health check must speak HTTPS to the nodes."
  }
  # Standbys fail that check by design: the ASG must not act on it.
  assert {
    condition     = aws_autoscaling_group.this.health_check_type == "EC2"
    error_message = "The ASG must use EC2 health checks, or it would replace every standby."
  }
}

run "data_buckets_are_versioned" {
  command = apply

  assert {
    condition     = alltrue([for v in aws_s3_bucket_versioning.this : v.versioning_configuration[0].status == "Enabled"])
    error_message = "Versioning must be on for the data and resources buckets."
  }
  assert {
    condition     = toset(keys(aws_s3_bucket_versioning.this)) == toset(["data", "resources"])
    error_message = "Both the data and the resources bucket need a versioning configuration."
  }
}

run "no_ingress_from_anywhere" {
  command = apply

  assert {
    condition = alltrue(concat(
      [for r in aws_vpc_security_group_ingress_rule.alb_https : !contains(["0.0.0.0/0"], coalesce(r.cidr_ipv4, "-")) && !contains(["::/0"], coalesce(r.cidr_ipv6, "-"))],
      [for r in aws_vpc_security_group_ingress_rule.node_api_from_operators : !contains(["0.0.0.0/0"], coalesce(r.cidr_ipv4, "-")) && !contains(["::/0"], coalesce(r.cidr_ipv6, "-"))],
    ))
    error_message = "No security group rule may let 0.0.0.0/0 or ::/0 in."
  }
  assert {
    condition = alltrue([
      for r in [aws_vpc_security_group_ingress_rule.node_api_from_alb, aws_vpc_security_group_ingress_rule.node_api_from_peers, aws_vpc_security_group_ingress_rule.node_cluster_from_peers] :
      r.referenced_security_group_id != null && r.cidr_ipv4 == null
    ])
    error_message = "Node-to-node and ALB-to-node rules must reference security groups, not CIDRs."
  }
}

run "alb_open_to_the_internet_is_refused" {
  command = plan
  variables {
    alb_ingress_cidrs = ["0.0.0.0/0"]
  }
  expect_failures = [var.alb_ingress_cidrs]
}

run "nodes_open_to_the_internet_are_refused" {
  command = plan
  variables {
    operator_cidrs = ["10.20.0.0/24", "::/0"]
  }
  expect_failures = [var.operator_cidrs]
}

run "internet_facing_alb_needs_waf" {
  command = plan
  variables {
    alb_internal = false
  }
  expect_failures = [aws_lb.this]
}

run "tls_parameters_need_a_customer_managed_key" {
  command = plan
  variables {
    tls_parameters_kms_key_arn = "alias/aws/ssm"
  }
  expect_failures = [var.tls_parameters_kms_key_arn]
}

run "node_identity_survives_replacement" {
  command = apply

  assert {
    condition     = jsondecode(base64decode(aws_launch_template.this.user_data)).node_address == "private_dns"
    error_message = "Nodes must name themselves by private DNS by default (a wildcard certificate covers replacements)."
  }
}

run "audit_log_has_its_own_encrypted_volume" {
  command = apply

  assert {
    condition = length([
      for b in aws_launch_template.this.block_device_mappings : b
      if b.device_name == "/dev/sdf" && b.ebs[0].encrypted == "true" && b.ebs[0].delete_on_termination == "false"
    ]) == 1
    error_message = "The launch template needs one encrypted audit volume (/dev/sdf) kept after termination."
  }
}
