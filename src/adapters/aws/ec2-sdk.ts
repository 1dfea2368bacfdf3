// The part of the EC2 SDK this adapter uses. The package's index holds every EC2 command and
// the schema of every shape (≈ +90 MB of RSS once loaded); naming the few used here lets the
// bundle (scripts/bundle.mjs) carry only these, ≈ +16 MB. A new EC2 call adds its command here.
export {
  CreateLaunchTemplateVersionCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
  ModifyLaunchTemplateCommand,
} from '@aws-sdk/client-ec2';
