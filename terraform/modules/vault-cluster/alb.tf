# The ALB routes only to the active node: /v1/sys/health answers 200 on the active node
# alone (429 standby, 473 performance standby, 501 uninitialised, 503 sealed; DESIGN §8).
# When no node is active the ALB fails open and spreads requests over all nodes, which
# then answer with errors: the Route 53 health check (root module) sees that state as
# HealthyHostCount < 1.

resource "aws_lb" "this" {
  # Internal by default, reached only from alb_ingress_cidrs; internet-facing only with a
  # WAF web ACL (precondition below).
  name                       = local.prefix
  internal                   = var.alb_internal
  load_balancer_type         = "application"
  security_groups            = [aws_security_group.alb.id]
  subnets                    = var.alb_subnet_ids
  drop_invalid_header_fields = true
  enable_deletion_protection = var.alb_deletion_protection
  idle_timeout               = 120

  access_logs {
    bucket  = aws_s3_bucket.logs.id
    prefix  = "alb"
    enabled = true
  }

  tags = local.tags

  depends_on = [aws_s3_bucket_policy.logs]

  lifecycle {
    # What checkov's CKV2_AWS_28 (public ALB behind WAF) can only assume from the
    # association resource existing: enforced here for every internet-facing ALB.
    precondition {
      condition     = var.alb_internal || var.waf_web_acl_arn != null
      error_message = "An internet-facing load balancer (alb_internal = false) needs waf_web_acl_arn."
    }
  }
}

resource "aws_lb_target_group" "this" {
  name                 = local.prefix
  port                 = 8200
  protocol             = "HTTPS"
  vpc_id               = var.vpc_id
  target_type          = "instance"
  deregistration_delay = 15

  health_check {
    enabled             = true
    protocol            = "HTTPS"
    port                = "traffic-port"
    path                = "/v1/sys/health"
    matcher             = "200"
    interval            = 5
    timeout             = 3
    healthy_threshold   = 2
    unhealthy_threshold = 2
  }

  tags = local.tags
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = var.alb_ssl_policy
  certificate_arn   = var.alb_certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this.arn
  }

  tags = local.tags
}

resource "aws_wafv2_web_acl_association" "this" {
  count        = var.waf_web_acl_arn == null ? 0 : 1
  resource_arn = aws_lb.this.arn
  web_acl_arn  = var.waf_web_acl_arn
}
