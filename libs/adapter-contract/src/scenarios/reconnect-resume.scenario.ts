// The adapter's connection is cut in the middle of an upload (the kit's proxy drops every connection and refuses
// new ones for a moment). The adapter must reconnect, resume, and complete with every record exactly once: the
// same records as an uninterrupted run of the same order.
import type { PackageRecord } from '../package-records.js';
import type { OrderDetailsInput } from '../authority-desk.js';
import { detailsFor, fulfil, uploadState, type ContractContext } from '../contract-context.js';
import { expectThat, ScenarioFailure } from '../scenario.js';
import type { ContractScenario } from './contract-scenario.js';

/** What identifies a record across two runs even if the adapter writes the task id into payloads. */
const shapeOf = (r: PackageRecord) =>
  [r.requestType, r.selectorId, r.recordTime, r.contentType, r.payloadSize].join('|');
/** The record and its payload's SHA-256: a resume that rewrote bytes shows here. */
const contentOf = (r: PackageRecord) => r.contentKey;

export const reconnectResumeScenario: ContractScenario = {
  id: 'reconnect-resume',
  title: 'connection cut mid-upload: reconnects, resumes, every record once',
  async run(ctx) {
    const cutAfter = ctx.profile.resume.cutAfterBytes ?? 64 * 1024;
    const reference = detailsFor(ctx, ctx.profile.resume.scope, 'resume-ref');
    const env = ctx.profile.resume.env;
    if (env) {
      ctx.say(
        `restarting the adapter with ${Object.entries(env)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}`,
      );
      await ctx.adapter.restart(env);
    }
    try {
      return await cutAndCompare(ctx, reference, cutAfter);
    } finally {
      if (env) await ctx.adapter.restart();
    }
  },
};

async function cutAndCompare(ctx: ContractContext, reference: OrderDetailsInput, cutAfter: number): Promise<string> {
  ctx.say('reference run, uninterrupted');
  const uninterrupted = await fulfil(ctx, reference);
  let cut = 0;
  let connectionsBefore = 0;
  ctx.say(`same order again; cutting every connection after ${cutAfter} bytes of upload`);
  const tooSmall = `give the profile's resume order more data (or lower cutAfterBytes)`;
  // Counted from before the order exists: the adapter may start uploading while the last approval is answered.
  const base = ctx.proxy.upstreamBytes;
  const interrupted = await fulfil(
    ctx,
    { ...reference, caseReference: `${reference.caseReference}-cut` },
    async (order) => {
      await waitOrTimeout(ctx.proxy.upstreamReaches(base + cutAfter), ctx.timeoutMs, `${cutAfter} bytes of upload`);
      const done = ctx.reports.forAuthorisation(order.authorisationId).some((r) => r.completed || r.refused);
      expectThat(!done, `the adapter finished before ${cutAfter} bytes went through, so nothing was cut: ${tooSmall}`);
      connectionsBefore = ctx.proxy.connections;
      cut = ctx.proxy.cut(1000);
      ctx.say(`cut ${cut} connection(s) after ${ctx.proxy.upstreamBytes - base} bytes`);
      const taskId = ctx.reports.forAuthorisation(order.authorisationId)[0]?.taskId;
      const state = taskId ? await uploadState(ctx, taskId) : undefined;
      expectThat(!state?.completed, `the upload was already complete when the cut came: ${tooSmall}`);
      if (state) ctx.say(`durable at the cut: ${state.recordCount} record(s), sequence ${state.durableSequenceNumber}`);
    },
  );
  expectThat(cut > 0, 'no connection was open to cut');
  expectThat(ctx.proxy.connections > connectionsBefore, 'the adapter never reconnected after the cut');
  const key = ctx.profile.resume.identicalPayloads === false ? shapeOf : contentOf;
  const want = uninterrupted.records.map(key).sort();
  const got = interrupted.records.map(key).sort();
  expectThat(
    got.length === want.length,
    `after the cut the package has ${got.length} record(s), the uninterrupted run ${want.length}`,
  );
  const missing = want.filter((s, i) => got[i] !== s);
  expectThat(missing.length === 0, `the records differ from the uninterrupted run, e.g. ${missing[0]}`);
  const compared = key === contentOf ? 'payloads byte-identical to' : 'records matching';
  return `cut ${cut} connection(s) mid-upload; reconnected; ${got.length} record(s), ${compared} an uninterrupted run`;
}

function waitOrTimeout(work: Promise<void>, ms: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<void>((_, reject) => {
      timer = setTimeout(() => reject(new ScenarioFailure(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
