import type { ServiceConfig } from '../../config/service-schema';
import type { Query } from '../pool';

/** The services file is the source of truth; the table mirrors it so rows can reference a service. */
export const upsertService = (service: ServiceConfig): Query => ({
  text: `INSERT INTO services (name, display_name, config) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET display_name = EXCLUDED.display_name, config = EXCLUDED.config, updated_at =
           now()`,
  values: [service.name, service.displayName ?? null, JSON.stringify(service)],
});
