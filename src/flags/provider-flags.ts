/** The feature-flag port over every provider: each flag goes to the adapter of its `provider`. */
import type { FlagConfig, ServiceConfig } from '../config/service-schema';
import type { FlagChange, FlagOutcome, FlagPort, FlagReading } from '../rollback/ports/flags';
import type { EdgeConfigFlags } from './edge-config-flags';
import type { VercelFlags } from './vercel-flags';

export class ProviderFlags implements FlagPort {
  constructor(private readonly providers: { edgeConfig: EdgeConfigFlags; vercelFlags: VercelFlags }) {}

  set({ service, flag, state }: FlagChange): Promise<FlagOutcome> {
    return flag.provider === 'edge-config'
      ? this.providers.edgeConfig.set({ service, flag, state })
      : this.providers.vercelFlags.set({ service, flag, state });
  }

  read(service: ServiceConfig, flag: FlagConfig): Promise<FlagReading> {
    return flag.provider === 'edge-config'
      ? this.providers.edgeConfig.read(service, flag)
      : this.providers.vercelFlags.read(service, flag);
  }
}
