# Network of the S3-quarantine recovery node (docs/s3-recovery.md), made when var.recovery
# is set: a subnet with a route table of its own and a network ACL.
#
# The limit: in the cluster's own VPC, routes cannot cut the subnet off production (every
# route table of a VPC has the local route to the whole VPC CIDR). Isolation there comes
# from three layers: the security group vault-runbook makes for the node (in: 8200 from
# operator_cidr; out: 443 to the endpoints), this NACL (the production subnets denied both
# ways before anything is allowed; then only 8200 in from operator_cidr, 443 out to the
# endpoints, and the return traffic of both), and the nodes' security group, which admits
# no CIDR the recovery subnet overlaps (precondition below). A VPC of its own, with no
# peering or transit gateway to production, is stronger still (recovery.vpc_id).
#
# Port 8200 is a literal, not recovery.port: the AMI's Vault listens on 8200, and CI proves
# no ingress allow rule reaches port 22 by reading literal ports.

locals {
  recovery_vpc_id = local.recovery_enabled ? coalesce(var.recovery.vpc_id, var.vpc_id) : null
  # In the cluster's VPC the production subnets share the recovery subnet's address space.
  recovery_in_cluster_vpc = local.recovery_enabled && local.recovery_vpc_id == var.vpc_id

  production_subnet_cidrs = sort(distinct([for s in data.aws_subnet.production : s.cidr_block]))
  recovery_endpoint_cidrs = local.recovery_enabled ? sort(distinct(var.recovery.endpoint_cidrs)) : []
  recovery_s3_cidrs       = sort(distinct(flatten([for e in data.aws_vpc_endpoint.recovery_s3 : e.cidr_blocks])))

  # Rule numbers: denials first (100-), then 8200 from the operator (200), return traffic
  # and 443 to the interface endpoints (300-), to the S3 gateway endpoint's ranges (400-).
  recovery_deny_rules = { for i, c in local.production_subnet_cidrs : c => 100 + i }
  recovery_endpoint_rules = merge(
    { for i, c in local.recovery_endpoint_cidrs : c => 300 + i },
    { for i, c in local.recovery_s3_cidrs : c => 400 + i },
  )
}

# Two CIDR blocks overlap when they agree on the shorter one's prefix.
locals {
  recovery_overlaps = local.recovery_enabled ? {
    operator_cidrs = [
      for c in var.operator_cidrs : c if
      cidrhost("${split("/", c)[0]}/${min(tonumber(split("/", c)[1]), tonumber(split("/", var.recovery.subnet_cidr)[1]))}", 0) ==
      cidrhost("${split("/", var.recovery.subnet_cidr)[0]}/${min(tonumber(split("/", c)[1]), tonumber(split("/", var.recovery.subnet_cidr)[1]))}", 0)
    ]
    endpoint_cidrs = !local.recovery_in_cluster_vpc ? [] : flatten([
      for e in var.recovery.endpoint_cidrs : [
        for p in local.production_subnet_cidrs : "${e} overlaps ${p}" if
        cidrhost("${split("/", e)[0]}/${min(tonumber(split("/", e)[1]), tonumber(split("/", p)[1]))}", 0) ==
        cidrhost("${split("/", p)[0]}/${min(tonumber(split("/", e)[1]), tonumber(split("/", p)[1]))}", 0)
      ]
    ])
  } : { operator_cidrs = [], endpoint_cidrs = [] }
}

data "aws_subnet" "production" {
  for_each = local.recovery_enabled ? toset(concat(var.instance_subnet_ids, var.alb_subnet_ids)) : toset([])
  id       = each.value
}

data "aws_vpc_endpoint" "recovery_s3" {
  for_each = local.recovery_enabled && try(var.recovery.s3_gateway_endpoint_id, null) != null ? toset([var.recovery.s3_gateway_endpoint_id]) : toset([])
  id       = each.value
}

resource "aws_subnet" "recovery" {
  count                   = local.recovery_enabled ? 1 : 0
  vpc_id                  = local.recovery_vpc_id
  cidr_block              = var.recovery.subnet_cidr
  availability_zone       = var.recovery.availability_zone
  map_public_ip_on_launch = false
  tags                    = merge(local.tags, { Name = "${local.prefix}-recovery", "vault-runbook:recovery" = "true" })

  lifecycle {
    # The nodes' security group admits operator_cidrs on 8200: a recovery subnet inside
    # one of them would reach the production nodes' API.
    precondition {
      condition     = length(local.recovery_overlaps.operator_cidrs) == 0
      error_message = "The recovery subnet_cidr must not overlap operator_cidrs (${join(", ", local.recovery_overlaps.operator_cidrs)}): the production nodes admit those on 8200."
    }
    # The NACL denies the production subnets before it allows the endpoints.
    precondition {
      condition     = length(local.recovery_overlaps.endpoint_cidrs) == 0
      error_message = "The recovery endpoint_cidrs must not overlap a production subnet (${join(", ", local.recovery_overlaps.endpoint_cidrs)}): give the interface endpoints' own subnets."
    }
  }
}

# No route: only the local route every VPC route table has (and the S3 endpoint's below).
resource "aws_route_table" "recovery" {
  count  = local.recovery_enabled ? 1 : 0
  vpc_id = local.recovery_vpc_id
  tags   = merge(local.tags, { Name = "${local.prefix}-recovery", "vault-runbook:recovery" = "true" })
}

resource "aws_route_table_association" "recovery" {
  count          = local.recovery_enabled ? 1 : 0
  subnet_id      = aws_subnet.recovery[0].id
  route_table_id = aws_route_table.recovery[0].id
}

resource "aws_vpc_endpoint_route_table_association" "recovery_s3" {
  for_each        = data.aws_vpc_endpoint.recovery_s3
  vpc_endpoint_id = each.value.id
  route_table_id  = aws_route_table.recovery[0].id
}

resource "aws_network_acl" "recovery" {
  count      = local.recovery_enabled ? 1 : 0
  vpc_id     = local.recovery_vpc_id
  subnet_ids = [aws_subnet.recovery[0].id]
  tags       = merge(local.tags, { Name = "${local.prefix}-recovery", "vault-runbook:recovery" = "true" })
}

# --- both ways: nothing to or from the production subnets -------------------------------
resource "aws_network_acl_rule" "recovery_deny_production_in" {
  #checkov:skip=CKV_AWS_352:A deny rule: all ports and protocols from the production subnets are refused, nothing is allowed.
  for_each       = local.recovery_deny_rules
  network_acl_id = aws_network_acl.recovery[0].id
  rule_number    = each.value
  egress         = false
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = each.key
}

resource "aws_network_acl_rule" "recovery_deny_production_out" {
  for_each       = local.recovery_deny_rules
  network_acl_id = aws_network_acl.recovery[0].id
  rule_number    = each.value
  egress         = true
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = each.key
}

# --- the operator: 8200 in, its return traffic out ---------------------------------------
resource "aws_network_acl_rule" "recovery_vault_from_operator" {
  count          = local.recovery_enabled ? 1 : 0
  network_acl_id = aws_network_acl.recovery[0].id
  rule_number    = 200
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = var.recovery.operator_cidr
  from_port      = 8200
  to_port        = 8200
}

resource "aws_network_acl_rule" "recovery_vault_return_to_operator" {
  count          = local.recovery_enabled ? 1 : 0
  network_acl_id = aws_network_acl.recovery[0].id
  rule_number    = 200
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = var.recovery.operator_cidr
  from_port      = 1024
  to_port        = 65535
}

# --- the endpoints (SSM, KMS, S3): 443 out, its return traffic in ------------------------
resource "aws_network_acl_rule" "recovery_https_to_endpoints" {
  for_each       = local.recovery_endpoint_rules
  network_acl_id = aws_network_acl.recovery[0].id
  rule_number    = each.value
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 443
  to_port        = 443
}

resource "aws_network_acl_rule" "recovery_https_return_from_endpoints" {
  for_each       = local.recovery_endpoint_rules
  network_acl_id = aws_network_acl.recovery[0].id
  rule_number    = each.value
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 1024
  to_port        = 65535
}
