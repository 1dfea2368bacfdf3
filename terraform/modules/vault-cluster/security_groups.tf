# No rule anywhere opens port 22: break-glass access is SSM Session Manager, outbound only.

resource "aws_security_group" "alb" {
  # name_prefix, not name: create_before_destroy needs the replacement to have another name.
  name_prefix = "${local.prefix}-alb-"
  description = "Vault ${var.name} load balancer"
  vpc_id      = var.vpc_id
  tags        = merge(local.tags, { Name = "${local.prefix}-alb" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_security_group" "node" {
  name_prefix = "${local.prefix}-node-"
  description = "Vault ${var.name} nodes"
  vpc_id      = var.vpc_id
  tags        = merge(local.tags, { Name = "${local.prefix}-node" })

  lifecycle {
    create_before_destroy = true
  }
}

# --- load balancer ----------------------------------------------------------------------
resource "aws_vpc_security_group_ingress_rule" "alb_https" {
  for_each          = toset(var.alb_ingress_cidrs)
  security_group_id = aws_security_group.alb.id
  description       = "Vault clients to the HTTPS listener"
  cidr_ipv4         = each.value
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_egress_rule" "alb_to_nodes" {
  security_group_id            = aws_security_group.alb.id
  description                  = "Forward to the Vault API and health checks on the nodes"
  referenced_security_group_id = aws_security_group.node.id
  ip_protocol                  = "tcp"
  from_port                    = 8200
  to_port                      = 8200
}

# --- nodes ------------------------------------------------------------------------------
resource "aws_vpc_security_group_ingress_rule" "node_api_from_alb" {
  security_group_id            = aws_security_group.node.id
  description                  = "Vault API from the load balancer"
  referenced_security_group_id = aws_security_group.alb.id
  ip_protocol                  = "tcp"
  from_port                    = 8200
  to_port                      = 8200
}

resource "aws_vpc_security_group_ingress_rule" "node_api_from_peers" {
  security_group_id            = aws_security_group.node.id
  description                  = "Vault API between nodes (standby redirects)"
  referenced_security_group_id = aws_security_group.node.id
  ip_protocol                  = "tcp"
  from_port                    = 8200
  to_port                      = 8200
}

resource "aws_vpc_security_group_ingress_rule" "node_cluster_from_peers" {
  security_group_id            = aws_security_group.node.id
  description                  = "Vault cluster port between nodes (request forwarding)"
  referenced_security_group_id = aws_security_group.node.id
  ip_protocol                  = "tcp"
  from_port                    = 8201
  to_port                      = 8201
}

resource "aws_vpc_security_group_ingress_rule" "node_api_from_operators" {
  for_each          = toset(var.operator_cidrs)
  security_group_id = aws_security_group.node.id
  description       = "Vault API from operators: unseal and upgrade each node directly"
  cidr_ipv4         = each.value
  ip_protocol       = "tcp"
  from_port         = 8200
  to_port           = 8200
}

resource "aws_vpc_security_group_egress_rule" "node_https" {
  for_each          = toset(var.egress_https_cidrs)
  security_group_id = aws_security_group.node.id
  description       = "HTTPS to AWS APIs: S3, DynamoDB, KMS, SSM, Auto Scaling"
  cidr_ipv4         = each.value
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_egress_rule" "node_https_prefix_lists" {
  for_each          = toset(var.egress_https_prefix_list_ids)
  security_group_id = aws_security_group.node.id
  description       = "HTTPS to AWS APIs through gateway endpoints (S3, DynamoDB)"
  prefix_list_id    = each.value
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_egress_rule" "node_api_to_peers" {
  security_group_id            = aws_security_group.node.id
  description                  = "Vault API to the other nodes"
  referenced_security_group_id = aws_security_group.node.id
  ip_protocol                  = "tcp"
  from_port                    = 8200
  to_port                      = 8200
}

resource "aws_vpc_security_group_egress_rule" "node_cluster_to_peers" {
  security_group_id            = aws_security_group.node.id
  description                  = "Vault cluster port to the other nodes"
  referenced_security_group_id = aws_security_group.node.id
  ip_protocol                  = "tcp"
  from_port                    = 8201
  to_port                      = 8201
}
