// `evx request …`: drive the order workflow of docs/requests.md over authority-api's REST API, signing as the
// caller. Exit codes: 0 done, 1 the server refused (its message is printed), 2 usage or I/O.
import type { Command, Option } from 'commander';
import {
  createRequest,
  decideRequest,
  listRequests,
  requestExitCode,
  showRequest,
  submitRequest,
  withdrawRequest,
  type DecideOptions,
  type ListOptions,
  type RequestConnection,
  type RequestView,
} from './request/request.actions.js';
import { watchRequests, type WatchOptions } from './request/request.watch.js';

interface OutputOptions {
  json?: boolean;
}

/** A refusal is exit 1 with the server's words; anything else goes to main's handler (exit 2). */
async function run<T>(opts: OutputOptions, work: () => Promise<T>, print: (result: T) => void): Promise<void> {
  let result: T;
  try {
    result = await work();
  } catch (error) {
    if (requestExitCode(error) !== 1) throw error;
    console.error(`evx: refused: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
    return;
  }
  if (opts.json) console.log(JSON.stringify(result, null, 2));
  else print(result);
}

/** The human form of one order: state first, then who decided what. */
export function describeRequest(view: RequestView): string {
  const lines = [
    `${view.authorisationId}  ${view.status}  generation ${view.generation}`,
    `  case ${view.caseReference}, ${view.urgency}, ${view.requestTypes.join(',')} → ${view.targetProviderId}`,
    `  requester ${view.requesterUri} (${view.issuingAgencyId}), created ${view.createdAt}, changed ${view.lastChanged}`,
  ];
  if (view.statusReason) lines.push(`  reason: ${view.statusReason}`);
  if (view.emergencyValidation)
    lines.push(`  validation ${view.emergencyValidation.status}, due ${view.emergencyValidation.validationDueAt}`);
  if (view.evidenceSealed) lines.push('  evidence SEALED');
  for (const a of view.approvals ?? [])
    lines.push(
      `  ${a.decision} by ${a.approverUri} as ${a.role} (${a.kind}) at ${a.decidedAt}${a.reason ? `: ${a.reason}` : ''}`,
    );
  return lines.join('\n');
}

const brief = (view: RequestView) =>
  console.log(`${view.authorisationId}  ${view.status}  generation ${view.generation}`);

export function requestCommands(program: Command, certsDirOption: () => Option): void {
  const request = program.command('request').description('orders: create, sign, decide, follow (docs/requests.md)');
  const common = (cmd: Command, defaultAs?: string) =>
    cmd
      .addOption(certsDirOption())
      .option(
        '--as <identity>',
        `dev identity file name (actors/<name>.crt)${defaultAs ? '' : '; required unless --cert/--key'}`,
        defaultAs,
      )
      .option('--cert <file>', 'your client certificate (PEM), instead of --as; you sign with its key')
      .option('--key <file>', 'its private key (PEM)')
      .option('--url <url>', 'authority-api REST base URL', 'https://localhost:8443')
      .option('--json', 'machine-readable output');
  const investigator = (cmd: Command) => common(cmd, 'police-hn.inv-1');

  investigator(request.command('create'))
    .description('create a draft order from a JSON file (the REST details, or {idempotencyKey, details})')
    .requiredOption('--file <order.json>', 'the order')
    .option('--idempotency-key <key>', '16–128 printable ASCII; replaying it returns the first order (default: new)')
    .action((opts: RequestConnection & OutputOptions & { file: string; idempotencyKey?: string }) =>
      run(
        opts,
        () => createRequest(opts),
        (view) => {
          brief(view);
          console.log(`idempotency key ${view.idempotencyKey} (give it again with --idempotency-key to retry safely)`);
        },
      ),
    );

  investigator(request.command('submit <id>'))
    .description("sign the order's canonical request with your key and submit it (the requester)")
    .action((id: string, opts: RequestConnection & OutputOptions) =>
      run(opts, () => submitRequest({ ...opts, id }), brief),
    );

  const decision = (name: 'approve' | 'reject' | 'validate', description: string) =>
    common(request.command(`${name} <id>`))
      .description(description)
      .option(
        '--role <role>',
        'SUPERVISOR, PROSECUTOR, JUDGE or DUTY_OFFICER (default: the role your certificate grants)',
      );

  decision('approve', 'approve, signed with your key (an approver of the agency, in the role the plan needs next)')
    .option('--reason <text>', 'optional note, signed with the decision')
    .action((id: string, opts: Omit<DecideOptions, 'id'> & OutputOptions) =>
      run(opts, () => decideRequest('approve', { ...opts, id }), brief),
    );
  decision('reject', 'reject, signed with your key')
    .requiredOption('--reason <text>', 'why; signed with the decision')
    .action((id: string, opts: Omit<DecideOptions, 'id'> & OutputOptions) =>
      run(opts, () => decideRequest('reject', { ...opts, id }), brief),
    );
  decision('validate', 'judicial validation of an emergency order, or with --reject its refusal (seals the evidence)')
    .requiredOption('--reason <text>', 'why; signed with the decision')
    .option('--reject', 'refuse validation')
    .action((id: string, opts: Omit<DecideOptions, 'id'> & OutputOptions) =>
      run(opts, () => decideRequest('validate', { ...opts, id }), brief),
    );

  investigator(request.command('withdraw <id>'))
    .description('withdraw an order (an investigator of the agency)')
    .requiredOption('--reason <text>', 'why')
    .action((id: string, opts: RequestConnection & OutputOptions & { reason: string }) =>
      run(opts, () => withdrawRequest({ ...opts, id }), brief),
    );

  investigator(request.command('list'))
    .description('list the orders you may see')
    .option('--status <s,…>', 'only these statuses, e.g. AWAITING_APPROVAL,DISPATCHED')
    .option('--agency <id>', 'only this agency')
    .option('--urgency <u>', 'STANDARD or EMERGENCY')
    .option('--page-size <n>', 'at most this many')
    .option('--page-token <t>', 'the next page, as printed by the previous one')
    .action((opts: ListOptions & OutputOptions) =>
      run(
        opts,
        () => listRequests(opts),
        (page) => {
          for (const r of page.requests)
            console.log(
              `${r.id}  ${r.status.replace('REQUEST_STATUS_', '')}  ${r.urgency.replace('URGENCY_', '')}  ${r.agency}  ${r.caseReference}  → ${r.targetProvider}  ${r.updatedAt}`,
            );
          if (page.nextPageToken) console.log(`more: --page-token ${page.nextPageToken}`);
        },
      ),
    );

  investigator(request.command('show <id>'))
    .description('one order: status, generation, approvals')
    .action((id: string, opts: RequestConnection & OutputOptions) =>
      run(
        opts,
        () => showRequest({ ...opts, id }),
        (view) => console.log(describeRequest(view)),
      ),
    );

  investigator(request.command('watch'))
    .description('follow status changes as they happen (gRPC WatchRequests); Ctrl-C stops')
    .option('--grpc <host:port>', 'authority-api gRPC address', 'localhost:50051')
    .option('--cursor <cursor>', 'resume after this change (printed with each one); default: from now on')
    .option('--id <id...>', 'only these orders')
    .option('--status <s,…>', 'only changes into these statuses')
    .action(async (opts: Omit<WatchOptions, 'ids'> & OutputOptions & { id?: string[] }) => {
      try {
        await watchRequests({ ...opts, ids: opts.id }, (c) =>
          console.log(
            opts.json
              ? JSON.stringify(c)
              : `${c.authorisationId}  ${c.oldStatus.replace('REQUEST_STATUS_', '')} → ${c.newStatus.replace('REQUEST_STATUS_', '')}  generation ${c.generation}  ${c.reason}  (cursor ${c.cursor})`,
          ),
        );
      } catch (error) {
        if (requestExitCode(error) !== 1) throw error;
        console.error(`evx: refused: ${error instanceof Error ? error.message : String(error)}`);
        process.exitCode = 1;
      }
    });
}
