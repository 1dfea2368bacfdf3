import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { amiFromMachineReadable, PackerImages } from './image.js';

/**
 * packer itself cannot run here (no AWS account): a stand-in executable on the same path
 * prints what packer's -machine-readable mode prints, and records its argv and environment.
 */
function fakePacker(exit = 0): { bin: string; template: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vr-packer-'));
  const bin = join(dir, 'packer');
  writeFileSync(
    bin,
    `#!/bin/bash
echo "1700000000,,ui,say,argv: $*"
echo "1700000000,,ui,say,version from env: $PKR_VAR_vault_version region $PKR_VAR_region"
echo "1700000000,,ui,say,vault token: \${VAULT_TOKEN-none}"
echo "progress on stderr" >&2
echo "1700000001,amazon-ebs.vault,artifact,0,id,us-west-2:ami-0other%!(PACKER_COMMA)us-east-1:ami-0abc123"
exit ${exit}
`,
  );
  chmodSync(bin, 0o755);
  const template = join(dir, 'vault.pkr.hcl');
  writeFileSync(template, '');
  return { bin, template };
}

describe('PackerImages', () => {
  it('Given packer succeeds, When building, Then the values went in as PKR_VAR_* env (not argv), every line streamed, and the region’s AMI returned', async () => {
    const { bin, template } = fakePacker();
    const lines: string[] = [];
    const img = await new PackerImages(template, { PATH: process.env.PATH ?? '' }, bin).build(
      { version: '1.14.8; touch /tmp/pwned', region: 'us-east-1' },
      AbortSignal.timeout(10_000),
      (l) => lines.push(l),
    );
    expect(img).toEqual({ imageId: 'ami-0abc123', version: '1.14.8; touch /tmp/pwned' });
    expect(lines).toContain(`argv: build -machine-readable ${template}`);
    expect(lines).toContain('version from env: 1.14.8; touch /tmp/pwned region us-east-1');
    expect(lines).toContain('progress on stderr');
  });

  it('Given the operator’s VAULT_TOKEN in the environment, When packer builds, Then packer does not get it', async () => {
    const { bin, template } = fakePacker();
    const lines: string[] = [];
    await new PackerImages(
      template,
      { PATH: process.env.PATH ?? '', VAULT_TOKEN: 'hvs.operator-token-for-vault-only' },
      bin,
    ).build({ version: '1.14.8', region: 'us-east-1' }, AbortSignal.timeout(10_000), (l) =>
      lines.push(l),
    );
    expect(lines).toContain('vault token: none');
  });

  it('Given packer fails, When building, Then the step fails with its exit code', async () => {
    const { bin, template } = fakePacker(3);
    await expect(
      new PackerImages(template, {}, bin).build(
        { version: '1.14.8', region: 'us-east-1' },
        AbortSignal.timeout(10_000),
        () => undefined,
      ),
    ).rejects.toThrow(/packer build failed \(exit 3\)/);
  });

  it('Given artifact lines, When parsed, Then only the asked region’s AMI is taken', () => {
    const l = '1,amazon-ebs.vault,artifact,0,id,eu-west-1:ami-1%!(PACKER_COMMA)us-east-1:ami-2';
    expect(amiFromMachineReadable(l, 'us-east-1')).toBe('ami-2');
    expect(amiFromMachineReadable(l, 'ap-south-1')).toBeUndefined();
    expect(amiFromMachineReadable('1,,ui,say,hello', 'us-east-1')).toBeUndefined();
  });
});
