import { dirname, isAbsolute, resolve } from 'node:path';
import { execa } from 'execa';
import { lineSplitter } from './process.js';
import { ExitCode, VrError } from '../domain/errors.js';
import type { Profile } from '../domain/schema.js';
import type { BuiltImage, ImageBuildRequest, ImagePort } from '../engine/image.js';
import { sandboxImage } from '../sandbox/api.js';

/** The sandbox's image build: an AMI registered in its moto, standing for a built version. */
export class SandboxImages implements ImagePort {
  readonly builder = 'sandbox' as const;
  constructor(private readonly env: NodeJS.ProcessEnv) {}
  async build(
    req: ImageBuildRequest,
    signal: AbortSignal,
    onLine: (line: string, stream: 'stdout' | 'stderr') => void,
  ): Promise<BuiltImage> {
    onLine(`sandbox: registering an AMI for Vault ${req.version} in moto`, 'stdout');
    const img = await sandboxImage(this.env, req.version, 'primary', signal);
    onLine(`sandbox: ${img.amiId} stands for Vault ${img.version}`, 'stdout');
    return { imageId: img.amiId, version: img.version };
  }
}

/** `<time>,<builder>,artifact,0,id,us-east-1:ami-0abc[,eu-west-1:ami-…]` */
export function amiFromMachineReadable(line: string, region: string): string | undefined {
  const f = line.split(',');
  if (f[2] !== 'artifact' || f[4] !== 'id') return undefined;
  const pairs = f.slice(5).join(',').split('%!(PACKER_COMMA)').join(',').split(',');
  for (const p of pairs) {
    const [r, ami] = p.split(':');
    if (r === region && ami?.startsWith('ami-')) return ami;
  }
  return undefined;
}

/**
 * The operator's environment minus what only Vault calls need: packer (and every provisioner
 * it runs) never sees the operator's Vault token.
 */
function withoutVaultCredentials(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { VAULT_TOKEN: _token, ...rest } = env;
  return rest;
}

/**
 * packer through execa, output streamed line by line. Every value (version, region) reaches
 * packer as a `PKR_VAR_*` environment variable, never as command text; the only argument is
 * the template's path from the profile. Cancelling the step kills packer's process group
 * (packer then deregisters what it had started, as it does on Ctrl-C).
 */
export class PackerImages implements ImagePort {
  readonly builder = 'packer' as const;
  constructor(
    private readonly template: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly bin = 'packer',
  ) {}
  async build(
    req: ImageBuildRequest,
    signal: AbortSignal,
    onLine: (line: string, stream: 'stdout' | 'stderr') => void,
  ): Promise<BuiltImage> {
    const child = execa(this.bin, ['build', '-machine-readable', this.template], {
      cwd: dirname(this.template),
      env: {
        ...withoutVaultCredentials(this.env),
        PKR_VAR_vault_version: req.version,
        PKR_VAR_region: req.region,
      },
      extendEnv: false,
      reject: false,
      detached: true,
      cancelSignal: signal,
      forceKillAfterDelay: 10_000,
      stdin: 'ignore',
    });
    let ami: string | undefined;
    const pump = (s: NodeJS.ReadableStream | null, stream: 'stdout' | 'stderr'): Promise<void> =>
      new Promise((done) => {
        if (!s) return done();
        // Lines are capped like a step's output: packer relays what provisioners print.
        const lines = lineSplitter((l) => {
          ami ??= stream === 'stdout' ? amiFromMachineReadable(l, req.region) : undefined;
          // Machine-readable ui lines carry the human text in their last field.
          const f = l.split(',');
          onLine(
            f[2] === 'ui'
              ? f
                  .slice(4)
                  .join(',')
                  .replace(/%!\(PACKER_COMMA\)/g, ',')
              : l,
            stream,
          );
        });
        s.setEncoding('utf8');
        s.on('data', (t: string) => lines.push(t));
        const finish = (): void => {
          lines.end();
          done();
        };
        s.once('end', finish);
        s.once('error', finish);
      });
    const [r] = await Promise.all([
      child,
      pump(child.stdout, 'stdout'),
      pump(child.stderr, 'stderr'),
    ]);
    if (signal.aborted) throw new VrError('packer build aborted', ExitCode.aborted);
    if (r.exitCode !== 0)
      throw new VrError(
        `packer build failed (exit ${r.exitCode ?? r.signal ?? '?'}): see the output above`,
        ExitCode.stepFailed,
      );
    if (!ami)
      throw new VrError(
        `packer finished but named no AMI for ${req.region} in its artifact lines`,
        ExitCode.stepFailed,
      );
    return { imageId: ami, version: req.version };
  }
}

export function imagesFromProfile(
  profile: Profile | undefined,
  env: NodeJS.ProcessEnv,
  profileDir?: string,
): ImagePort | undefined {
  const img = profile?.image;
  if (!img) return undefined;
  if (img.builder === 'sandbox') return new SandboxImages(env);
  const t = img.template ?? 'packer/vault.pkr.hcl';
  return new PackerImages(isAbsolute(t) ? t : resolve(profileDir ?? process.cwd(), t), env);
}
