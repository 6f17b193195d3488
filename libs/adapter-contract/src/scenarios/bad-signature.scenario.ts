// An order whose signature does not verify, put on the adapter's task stream behind EVX's back: the adapter must
// check the signed bundle against the authority trust anchor itself, refuse the task, and upload nothing.
import { readFileSync } from 'node:fs';
import type { Authorisation } from '#evx/proto';
import { loadPolicies, policyForAgency, standardApprovalChain } from '#evx/workflow';
import { approversFor, DEV_PEOPLE } from '../authority-desk.js';
import { detailsFor, refusalText, uploadState } from '../contract-context.js';
import { expectThat, ScenarioFailure } from '../scenario.js';
import { actorCredentials, callUnary, serviceCredentials } from '../evx-clients.js';
import { checkBundle, signBundle, tamperLastApproval, taskOf } from '../tampered-task.js';
import type { ContractScenario } from './contract-scenario.js';

export const badSignatureScenario: ContractScenario = {
  id: 'bad-signature',
  title: 'an order with a tampered signature is refused by the adapter, nothing uploaded',
  async run(ctx) {
    const scope = ctx.profile.happyPaths[0].scope;
    const details = detailsFor(ctx, scope, 'bad-signature');
    const draft = await ctx.desk.createDraft(details);
    const { authorisation } = await callUnary<{ authorisation: Authorisation }>(
      'authority',
      ctx.stack.authorityGrpc,
      'getRequest',
      { authorisationId: draft.authorisationId },
      actorCredentials(ctx.stack.certsDir, DEV_PEOPLE.investigator),
    );
    const canonical = authorisation.bundle?.canonicalRequest;
    if (!canonical?.length) throw new ScenarioFailure('authority-api returned the draft without its canonical request');
    const approvers = approversFor(ctx.stack.policyFile, 'STANDARD', scope.requestTypes);
    const signed = await signBundle(ctx.stack.certsDir, canonical, DEV_PEOPLE.investigator, approvers, 'STANDARD');
    const policy = policyForAgency(loadPolicies(readFileSync(ctx.stack.policyFile, 'utf8')), DEV_PEOPLE.agency);
    const plan = { kind: 'STANDARD' as const, steps: standardApprovalChain(policy, scope.requestTypes) };
    try {
      checkBundle(ctx.stack.certsDir, signed, plan);
    } catch (error) {
      throw new ScenarioFailure(`kit error: the untampered control bundle does not verify: ${String(error)}`);
    }
    const tampered = tamperLastApproval(signed);
    let verifierRefuses = false;
    try {
      checkBundle(ctx.stack.certsDir, tampered, plan);
    } catch {
      verifierRefuses = true;
    }
    expectThat(verifierRefuses, 'kit error: the tampered bundle still verifies');

    const task = taskOf(authorisation, tampered, ctx.profile.providerId);
    await callUnary(
      'taskDispatch',
      ctx.stack.providerEdgeInternal,
      'dispatchTask',
      { task },
      serviceCredentials(ctx.stack.certsDir, 'authority-api'),
    );
    ctx.say(`dispatched tampered task ${task.taskId} (last approval's signature altered)`);
    const report = await ctx.reports
      .waitFor(
        (r) => r.taskId === task.taskId && (r.refused != null || r.completed != null),
        ctx.timeoutMs,
        `the adapter to refuse task ${task.taskId}`,
      )
      .catch((error: Error) => {
        throw new ScenarioFailure(`${error.message}; the adapter must verify the bundle and refuse (RefuseTask)`);
      });
    expectThat(!report.completed, 'the adapter COMPLETED a task whose approval signature is forged');
    // Acknowledging is only "received"; what must never happen is data leaving the enterprise.
    const acknowledged = ctx.reports.forTask(task.taskId).some((r) => r.acknowledged);
    const upload = await uploadState(ctx, task.taskId);
    expectThat(
      !upload?.uploadId && BigInt(upload?.recordCount ?? '0') === 0n,
      `the adapter uploaded ${upload?.recordCount} record(s) for the forged task`,
    );
    const checked =
      upload || ctx.profile.identity ? 'nothing uploaded' : 'upload state not checked (no adapter identity)';
    return `refused with ${refusalText(report)}${acknowledged ? ' (after acknowledging receipt)' : ''}; ${checked}`;
  },
};
