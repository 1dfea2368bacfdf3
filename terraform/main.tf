# The DR instance is created first: the primary replicates its buckets into the DR
# buckets, which must exist, versioned, beforehand.
module "dr" {
  source    = "./modules/vault-cluster"
  providers = { aws = aws.dr }

  name                = var.name
  role                = "dr"
  vpc_id              = var.dr.vpc_id
  instance_subnet_ids = var.dr.instance_subnet_ids
  alb_subnet_ids      = var.dr.alb_subnet_ids
  alb_certificate_arn = var.dr.alb_certificate_arn
  ami_id              = var.dr.ami_id
  alb_internal        = var.alb_internal
  alb_ingress_cidrs   = var.alb_ingress_cidrs
  operator_cidrs      = var.operator_cidrs
  egress_https_cidrs  = var.egress_https_cidrs
  instance_type       = var.instance_type
  tls_cert_parameter  = var.tls_cert_parameter
  tls_key_parameter   = var.tls_key_parameter
  tls_ca_parameter    = var.tls_ca_parameter
  node_address        = var.node_address
  audit_volume_size   = var.audit_volume_size

  egress_https_prefix_list_ids = var.dr.egress_https_prefix_list_ids
  tls_parameters_kms_key_arn   = aws_kms_key.tls_dr.arn

  # Off unless var.dr.recovery is set (docs/s3-recovery.md).
  recovery = var.dr.recovery

  # Standby region: no node until the DR promotion runbook scales it up.
  min_size         = 0
  desired_capacity = 0
  max_size         = var.cluster_size + 1
}

module "primary" {
  source    = "./modules/vault-cluster"
  providers = { aws = aws.primary }

  name                = var.name
  role                = "primary"
  vpc_id              = var.primary.vpc_id
  instance_subnet_ids = var.primary.instance_subnet_ids
  alb_subnet_ids      = var.primary.alb_subnet_ids
  alb_certificate_arn = var.primary.alb_certificate_arn
  ami_id              = var.primary.ami_id
  alb_internal        = var.alb_internal
  alb_ingress_cidrs   = var.alb_ingress_cidrs
  operator_cidrs      = var.operator_cidrs
  egress_https_cidrs  = var.egress_https_cidrs
  instance_type       = var.instance_type
  tls_cert_parameter  = var.tls_cert_parameter
  tls_key_parameter   = var.tls_key_parameter
  tls_ca_parameter    = var.tls_ca_parameter
  node_address        = var.node_address
  audit_volume_size   = var.audit_volume_size

  egress_https_prefix_list_ids = var.primary.egress_https_prefix_list_ids
  tls_parameters_kms_key_arn   = aws_kms_key.tls_primary.arn

  # Off unless var.primary.recovery is set (docs/s3-recovery.md).
  recovery = var.primary.recovery

  min_size         = var.cluster_size
  desired_capacity = var.cluster_size
  max_size         = var.cluster_size + 1

  replication = module.dr.replication_target
}
