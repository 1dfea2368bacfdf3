import { z } from 'zod';
import { VrError, ExitCode } from '../../domain/errors.js';
import type { ActionDef, AnyAction } from './types.js';

/** The operator answered "no" to a confirmation that gates the rest of the run. */
export class OperatorDeclined extends VrError {
  constructor(stepId: string) {
    super(`the operator declined at step '${stepId}'`, ExitCode.aborted);
  }
}

const Confirm = z.strictObject({
  message: z.string(),
  default: z.boolean().optional(),
  'abort-on-no': z.boolean().optional(),
});
export const confirmAction: ActionDef<z.infer<typeof Confirm>> = {
  id: 'human.confirm',
  summary: 'Ask a yes/no question; "no" aborts the run unless abort-on-no is false',
  input: Confirm,
  idempotent: true,
  human: true,
  describe: (i) => `ask: ${i.message} [y/n]`,
  async run(ctx) {
    const a = await ctx.ask({
      type: 'confirm',
      message: ctx.input.message,
      ...(ctx.input.default !== undefined ? { default: ctx.input.default } : {}),
    });
    if (!a.value && ctx.input['abort-on-no'] !== false) throw new OperatorDeclined(ctx.stepId);
    return { confirmed: a.value };
  },
};

const Input = z.strictObject({
  message: z.string(),
  placeholder: z.string().optional(),
  pattern: z.string().optional(),
  default: z.string().optional(),
});
export const inputAction: ActionDef<z.infer<typeof Input>> = {
  id: 'human.input',
  summary: 'Ask for a line of text (not secret), optionally matching a pattern',
  input: Input,
  idempotent: true,
  human: true,
  describe: (i) => `ask for text: ${i.message}`,
  async run(ctx) {
    const { message, placeholder, pattern, default: def } = ctx.input;
    for (;;) {
      const a = await ctx.ask({
        type: 'input',
        message,
        ...(placeholder ? { placeholder } : {}),
        ...(pattern ? { pattern } : {}),
        ...(def !== undefined ? { default: def } : {}),
      });
      if (!pattern || new RegExp(`^(?:${pattern})$`).test(a.value)) return { value: a.value };
      ctx.log(`'${a.value}' does not match ${pattern}; asking again`, 'info');
    }
  },
};

const Option = z.union([
  z.string(),
  z.strictObject({
    value: z.string(),
    label: z.string().optional(),
    description: z.string().optional(),
  }),
]);
const Choose = z.strictObject({ message: z.string(), options: z.array(Option).min(1) });
export const chooseAction: ActionDef<z.infer<typeof Choose>> = {
  id: 'human.choose',
  summary: 'Ask to pick one of several options; outputs.value is the chosen value',
  input: Choose,
  idempotent: true,
  human: true,
  describe: (i) =>
    `ask to choose: ${i.message} (${i.options.map((o) => (typeof o === 'string' ? o : o.value)).join(' | ')})`,
  async run(ctx) {
    const options = ctx.input.options.map((o) =>
      typeof o === 'string'
        ? { value: o, label: o }
        : {
            value: o.value,
            label: o.label ?? o.value,
            ...(o.description ? { description: o.description } : {}),
          },
    );
    const a = await ctx.ask({ type: 'choose', message: ctx.input.message, options });
    if (!options.some((o) => o.value === a.value))
      throw new Error(`'${a.value}' is not one of ${options.map((o) => o.value).join(', ')}`);
    return { value: a.value };
  },
};

const Checklist = z.strictObject({ message: z.string(), items: z.array(z.string()).min(1) });
export const checklistAction: ActionDef<z.infer<typeof Checklist>> = {
  id: 'human.checklist',
  summary: 'A checklist every item of which must be ticked before the run goes on',
  input: Checklist,
  idempotent: true,
  human: true,
  describe: (i) => `checklist: ${i.items.join('; ')}`,
  async run(ctx) {
    const a = await ctx.ask({
      type: 'checklist',
      message: ctx.input.message,
      items: ctx.input.items,
    });
    const missing = ctx.input.items.filter((i) => !a.checked.includes(i));
    if (missing.length) throw new Error(`not confirmed: ${missing.join('; ')}`);
    return { checked: a.checked };
  },
};

const SecretIn = z.strictObject({
  message: z.string(),
  label: z.string().default('secret'),
  confirm: z.boolean().optional(),
});
export const secretAction: ActionDef<z.input<typeof SecretIn>> = {
  id: 'human.secret',
  summary: 'Masked entry of a secret; outputs.value is a Secret that never reaches the journal',
  input: SecretIn,
  idempotent: true,
  human: true,
  describe: (i) => `ask for a secret (masked): ${i.message}`,
  async run(ctx) {
    const a = await ctx.ask({
      type: 'secret',
      message: ctx.input.message,
      label: ctx.input.label ?? 'secret',
      ...(ctx.input.confirm ? { confirm: true } : {}),
    });
    ctx.registerSecret(a.value);
    return { value: a.value, length: a.value.length };
  },
};

const Instructions = z.strictObject({ message: z.string(), ack: z.string().default('Done') });
export const instructionsAction: ActionDef<z.input<typeof Instructions>> = {
  id: 'human.instructions',
  summary: 'Show instructions for a person to carry out, and wait until they say it is done',
  input: Instructions,
  idempotent: true,
  human: true,
  describe: (i) => `show instructions: ${i.message.split('\n')[0] ?? ''}`,
  async run(ctx) {
    await ctx.ask({
      type: 'instructions',
      message: ctx.input.message,
      ack: ctx.input.ack ?? 'Done',
    });
    return { done: true };
  },
};

export const humanActions: AnyAction[] = [
  confirmAction,
  inputAction,
  chooseAction,
  checklistAction,
  secretAction,
  instructionsAction,
];
