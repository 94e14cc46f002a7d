/**
 * `/rollout <service> [<deployment|commit>]`: who asks and may they (the
 * authority gate's release act), which deployment, the gates (preflight or a
 * CTO override, the deploy window or a CTO override, the candidate's smoke
 * tests against staging), then Vercel's rolling release is configured with
 * the plan's stages and started, the release is stored and its thread posted.
 */
import { randomBytes } from 'node:crypto';
import type { SlackUserId } from '../rollback/ids';
import { RollbackError } from '../rollback/errors';
import { authorize } from '../rollback/incident/gate';
import { findService } from '../rollback/services';
import { type GateVerdict, judgeGates, refusedOverrides } from '../rollback/release/gates';
import { INITIAL_GUARD_STATE } from '../rollback/release/guard';
import type { GateOverride, Release } from '../rollback/release/release';
import { releasePlan } from '../rollback/release/release-plan';
import { sendToEach } from '../slack/outbox/notifier';
import { announceRelease } from './announce-release';
import { type RolloutDeps, refOf } from './deps';
import { stagingSmoke } from './probe-deployment';

interface StartInput {
  readonly service: string;
  readonly actor: SlackUserId;
  /** Deployment id or URL, or a commit; default the newest READY production deployment not yet released. */
  readonly candidate?: string | undefined;
  readonly overrides: readonly GateOverride[];
}

type StartOutcome =
  | { readonly started: true; readonly release: Release; readonly gates: GateVerdict }
  | { readonly started: false; readonly gates: GateVerdict; readonly refusedOverrides: readonly string[] };

const newReleaseId = (at: Date): string =>
  `REL-${at.toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(3).toString('hex').toUpperCase()}`;

export async function startRelease(deps: RolloutDeps, input: StartInput): Promise<StartOutcome> {
  const { engine } = deps;
  const service = findService(engine.services, input.service);
  const granted = await authorize(engine, {
    service: service.name,
    actor: input.actor,
    act: { kind: 'release', what: 'start a release' },
  });
  const live = await deps.releases.live(service.name);
  if (live) {
    throw new RollbackError(
      'conflict',
      `${service.name} already has a release under way (${live.id}, ${live.state}).`,
      {
        fix: `See it with /rollout status ${service.name}; abort it first to start another.`,
      },
    );
  }
  const ref = refOf(service);
  const plan = releasePlan(service);
  const [candidate, base] = await Promise.all([
    deps.vercel.candidate(ref, input.candidate),
    deps.vercel.production(ref),
  ]);
  if (candidate.id === base.id) {
    throw new RollbackError(
      'bad_input',
      `${candidate.id} already serves all of production; there is nothing to release.`,
      {
        fix: 'Name a READY production deployment that does not serve production yet.',
      },
    );
  }
  const [preflight, smoke] = await Promise.all([
    deps.preflight(service, candidate.commitSha),
    stagingSmoke(service, plan.stagingUrl, deps.probe),
  ]);
  const gates = judgeGates({
    preflight,
    candidateCommit: candidate.commitSha,
    smoke,
    overrides: input.overrides,
    roles: granted.roles,
  });
  const refused = refusedOverrides(input.overrides, granted.roles);
  const now = engine.clock.now();
  if (!gates.passed) {
    const failing = gates.gates.filter((g) => g.status === 'fail').map((g) => `${g.gate}: ${g.detail}`);
    await engine.store.appendTimeline({
      service: service.name,
      actor: input.actor,
      kind: 'refused',
      message: `Release of ${candidate.id} refused by its gates: ${failing.join(' ')}`.slice(0, 2000),
      data: { gates: gates.gates },
    });
    return { started: false, gates, refusedOverrides: refused };
  }
  await deps.vercel.configure(
    ref,
    plan.stages.map((s) => ({ targetPercentage: s.percent })),
  );
  await deps.vercel.start(ref, candidate.id);
  const release = await deps.releases.create({
    id: newReleaseId(now),
    service: service.name,
    canary: candidate,
    base,
    stages: plan.stages,
    state: 'watching',
    stageIndex: 0,
    stageStartedAt: now,
    startedAt: now,
    requestedBy: input.actor,
    triggerState: INITIAL_GUARD_STATE,
    overrides: input.overrides.filter((o) => gates.gates.some((g) => g.gate === o.gate && g.status === 'overridden')),
  });
  await engine.store.appendTimeline({
    service: service.name,
    actor: input.actor,
    kind: 'release_started',
    message: `Release ${release.id} of ${candidate.id} over ${base.id} started as ${granted.as}.`,
    data: { release: release.id, gates: gates.gates },
  });
  await announceRelease(deps, release);
  if (granted.notifyCtoAsync) {
    // A key per CTO: the outbox sends one message per key, so a shared key reached only the first CTO.
    const text = `Outside working hours <@${input.actor}> (on-call) started release ${release.id} of ${service.name}.`;
    await sendToEach(deps.notifier, granted.roles.cto, (cto) => `release:${release.id}:start:cto:${cto}`, { text });
  }
  return { started: true, release, gates };
}
