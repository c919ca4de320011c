import type { Command } from 'commander';
import type { CliIo } from './io';
import { registerSend } from './send';
import { registerDrain } from './drain';
import { registerApply } from './apply';
import { registerPlan } from './plan';
import { registerHistory } from './history';
import { registerCatalog } from './catalog';
import { registerRollback } from './rollback';
import { registerPark, registerUnpark } from './park';
import { registerFlush } from './flush';
import { registerValidate } from './validate';
import { registerResolve } from './resolve';
import { registerGraph } from './graph';
import { registerCheckTargets } from './check-targets';
import { registerLookup } from './lookup';
import { registerRegister } from './register';
import { registerDeregister } from './deregister';
import { registerCheck } from './check';
import { registerHeartbeat } from './heartbeat';
import { registerRollout } from './rollout';

/**
 * A command adds itself to the program. It reports a non-zero exit code through `setExit`
 * (plan's "3 = changes") and throws a PsarnError for user errors (exit 1).
 */
export type RegisterCommand = (program: Command, io: CliIo, setExit: (code: number) => void) => void;

/** Every command of `psarn`, in the order `--help` lists them. Each lives in its own file. */
export const commands: readonly RegisterCommand[] = [
  registerValidate,
  registerResolve,
  registerLookup,
  registerGraph,
  registerCheckTargets,
  registerPlan,
  registerApply,
  registerHistory,
  registerCatalog,
  registerRollback,
  registerPark,
  registerUnpark,
  registerDrain,
  registerFlush,
  registerSend,
  registerRegister,
  registerDeregister,
  registerCheck,
  registerHeartbeat,
  registerRollout,
];
