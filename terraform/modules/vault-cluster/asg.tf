# Immutable nodes: a launch template and an ASG across the AZs of instance_subnet_ids.
# No instance_refresh: replacing Vault nodes is the rolling-upgrade runbook's job
# (standbys first, the active last with a clean shutdown; DESIGN §8).

locals {
  # Read at every boot by vault-render-config (packer/files). Names and ARNs only:
  # the TLS material stays in SSM Parameter Store.
  user_data = {
    cluster_name                   = var.name
    role                           = var.role
    s3_bucket                      = aws_s3_bucket.this["data"].id
    s3_path                        = var.s3_path
    kms_key_id                     = aws_kms_key.this.arn
    dynamodb_table                 = aws_dynamodb_table.ha.name
    tls_cert_parameter             = var.tls_cert_parameter
    tls_key_parameter              = var.tls_key_parameter
    tls_ca_parameter               = var.tls_ca_parameter == null ? "" : var.tls_ca_parameter
    node_address                   = var.node_address
    ui                             = var.vault_ui
    log_level                      = var.vault_log_level
    telemetry_prometheus_retention = var.telemetry_prometheus_retention
    x_forwarded_for_cidrs          = var.x_forwarded_for_cidrs
    seal_awskms_key_id             = var.seal_awskms_key_arn == null ? "" : var.seal_awskms_key_arn
  }

  instance_tags = merge(local.tags, { Name = "${local.prefix}-${var.role}" })
}

resource "aws_launch_template" "this" {
  name                   = local.prefix
  description            = "Vault ${var.name} ${var.role} nodes"
  image_id               = var.ami_id
  instance_type          = var.instance_type
  ebs_optimized          = true
  update_default_version = true
  user_data              = base64encode(jsonencode(local.user_data))

  iam_instance_profile {
    arn = aws_iam_instance_profile.node.arn
  }

  network_interfaces {
    associate_public_ip_address = false
    delete_on_termination       = true
    security_groups             = [aws_security_group.node.id]
  }

  # IMDSv2 only, and not reachable from containers or forwarded hops.
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
    instance_metadata_tags      = "disabled"
  }

  monitoring {
    enabled = true
  }

  block_device_mappings {
    device_name = "/dev/sda1"
    ebs {
      volume_size           = var.root_volume_size
      volume_type           = "gp3"
      encrypted             = true
      kms_key_id            = var.ebs_kms_key_arn
      delete_on_termination = true
    }
  }

  # The audit log's own volume, mounted on /var/log/vault by vault-audit-volume.service
  # (packer/files); kept after termination by default so a replaced node's log survives.
  block_device_mappings {
    device_name = "/dev/sdf"
    ebs {
      volume_size           = var.audit_volume_size
      volume_type           = "gp3"
      encrypted             = true
      kms_key_id            = var.ebs_kms_key_arn
      delete_on_termination = !var.retain_audit_volumes
    }
  }

  tag_specifications {
    resource_type = "instance"
    tags          = local.instance_tags
  }

  tag_specifications {
    resource_type = "volume"
    tags          = local.instance_tags
  }

  tags = local.tags

  lifecycle {
    # The rolling-upgrade runbook publishes new versions with a new AMI.
    ignore_changes = [image_id]
  }
}

resource "aws_autoscaling_group" "this" {
  # EC2 health checks, never ELB: the ALB health check passes only the active node by
  # design (standbys answer 429), so ELB health would make the ASG replace every healthy
  # standby. A node whose boot steps fail (config render, audit volume) marks itself
  # Unhealthy (vault-node-unhealthy in packer/files; iam.tf MarkSelfUnhealthy), and the ASG
  # replaces it. Vault health beyond that is the runbooks' job.
  name                      = local.prefix
  vpc_zone_identifier       = var.instance_subnet_ids
  min_size                  = var.min_size
  max_size                  = var.max_size
  desired_capacity          = var.desired_capacity
  health_check_type         = "EC2"
  health_check_grace_period = 300
  target_group_arns         = [aws_lb_target_group.this.arn]
  termination_policies      = ["OldestLaunchTemplate", "OldestInstance"]
  # AZRebalance would terminate nodes on its own, the active one included.
  suspended_processes = ["AZRebalance"]
  enabled_metrics = [
    "GroupDesiredCapacity",
    "GroupInServiceInstances",
    "GroupMaxSize",
    "GroupMinSize",
    "GroupPendingInstances",
    "GroupTerminatingInstances",
    "GroupTotalInstances",
  ]

  launch_template {
    id      = aws_launch_template.this.id
    version = "$Latest"
  }

  dynamic "tag" {
    for_each = local.instance_tags
    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = true
    }
  }

  lifecycle {
    # Runbooks scale the DR region up on promotion and add a surge node during upgrades.
    ignore_changes = [desired_capacity, min_size]
  }
}
