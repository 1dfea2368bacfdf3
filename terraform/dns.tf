# Route 53 failover: PRIMARY answers while the primary region has an active node,
# SECONDARY (the DR ALB) otherwise. The health check follows a CloudWatch alarm on the
# target group's HealthyHostCount instead of probing the ALB, because Route 53's checkers
# cannot reach an internal load balancer; "healthy host" means "active node" here.
# DR has no node until it is promoted, so the answer only matters after the promotion
# runbook has fenced the primary and scaled DR up.

resource "aws_cloudwatch_metric_alarm" "primary_no_active_node" {
  provider            = aws.primary
  alarm_name          = "${var.name}-vault-primary-no-active-node"
  alarm_description   = "No Vault node of ${var.name} in ${var.primary.region} answers /v1/sys/health with 200 (active)."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "HealthyHostCount"
  statistic           = "Minimum"
  period              = 60
  evaluation_periods  = 3
  threshold           = 1
  comparison_operator = "LessThanThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions

  dimensions = {
    LoadBalancer = module.primary.alb_arn_suffix
    TargetGroup  = module.primary.target_group_arn_suffix
  }
}

resource "aws_route53_health_check" "primary" {
  provider                = aws.primary
  type                    = "CLOUDWATCH_METRIC"
  cloudwatch_alarm_name   = aws_cloudwatch_metric_alarm.primary_no_active_node.alarm_name
  cloudwatch_alarm_region = var.primary.region
  # No data is bad news here: in a full outage of the primary region its CloudWatch data
  # stops, and "last known" would keep answering with the dead region.
  insufficient_data_health_status = "Unhealthy"

  tags = {
    Name = "${var.name}-vault-primary"
  }
}

resource "aws_route53_record" "primary" {
  provider        = aws.primary
  zone_id         = var.route53_zone_id
  name            = var.route53_record_name
  type            = "A"
  set_identifier  = "${var.name}-primary"
  health_check_id = aws_route53_health_check.primary.id

  failover_routing_policy {
    type = "PRIMARY"
  }

  alias {
    name                   = module.primary.alb_dns_name
    zone_id                = module.primary.alb_zone_id
    evaluate_target_health = true
  }
}

resource "aws_route53_record" "secondary" {
  provider       = aws.primary
  zone_id        = var.route53_zone_id
  name           = var.route53_record_name
  type           = "A"
  set_identifier = "${var.name}-dr"

  failover_routing_policy {
    type = "SECONDARY"
  }

  alias {
    name                   = module.dr.alb_dns_name
    zone_id                = module.dr.alb_zone_id
    evaluate_target_health = true
  }
}
