// The simulator's parts that outlive a reset (tokens, faults, log, accounts) and the World that a
// reset replaces. server.ts and controls.ts share this one object.

import { TokenStore } from './identity.js';
import { FaultPlan } from './faults.js';
import { Random, hashString } from './random.js';
import { RequestLog } from './request-log.js';
import { seedTenant, seedWorld } from './seed.js';
import { World, type Account } from './state.js';

export interface AccountInput {
  tenantId: string;
  username: string;
  apiPassword: string;
}

export class SimulatorCore {
  world: World;
  readonly tokens = new TokenStore();
  readonly faults: FaultPlan;
  readonly log = new RequestLog();
  private readonly accounts: Account[] = [];

  constructor(
    readonly seed: number,
    readonly buildDelayMs: number,
    demo: AccountInput,
    readonly timing: { scheduleDelayMs?: number; deletedRetentionMs?: number } = {},
  ) {
    this.faults = new FaultPlan(seed);
    this.world = this.freshWorld('');
    this.addAccount(demo);
  }

  /** Fills in what NHN adds to an account (tenant name, group id, user id), derived from the seed. */
  addAccount(input: AccountInput): Account {
    for (const [key, value] of Object.entries(input)) {
      if (typeof value !== 'string' || value === '') throw new Error(`addAccount: ${key} must be a non-empty string`);
    }
    if (this.world.tenants.has(input.tenantId)) throw new Error(`addAccount: tenant ${input.tenantId} exists`);
    const random = new Random(this.seed ^ hashString(`account:${input.tenantId}`));
    const account: Account = {
      ...input,
      tenantName: `c_${random.alnum(8)}`,
      groupId: random.alnum(16),
      userId: random.hex(32),
    };
    this.accounts.push(account);
    this.world.tenants.set(account.tenantId, seedTenant(this.world, account));
    return account;
  }

  /** Seed data again for every account; tokens, faults and the log are the callers' to reset. */
  reseed(): void {
    this.world = this.freshWorld(this.world.origin);
    for (const account of this.accounts) this.world.tenants.set(account.tenantId, seedTenant(this.world, account));
  }

  private freshWorld(origin: string): World {
    const world = new World(this.seed, this.buildDelayMs, origin, this.timing.scheduleDelayMs, this.timing.deletedRetentionMs);
    seedWorld(world);
    return world;
  }
}
