// The EC2 commands the S3-quarantine recovery node uses (src/adapters/recovery-aws.ts), apart
// from ./ec2-sdk.ts so that module stays as it is; loaded only when a quarantine starts. They
// are sent through the same EC2Client (./clients.ts): a command does not care which module
// re-exported it.
export {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  RevokeSecurityGroupEgressCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
