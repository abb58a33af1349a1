import type { OptionSpec } from '../../cli/command-line';

/** The options every operator command shares: which cloud and stage it acts on. */
export const TARGET_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'stage',
    type: 'string',
    value: 'S',
    description: 'the stage; on the local cloud only its own',
    default: "the local cloud's; on AWS STAGE or dev",
  },
  {
    name: 'aws',
    type: 'boolean',
    description: 'act on AWS (default credential chain) even when a local cloud runs',
  },
];

export const TARGET_SUMMARY =
  'Acts on the running `npm run up` when there is one (found in .reelay/up.json), else on AWS\n' +
  '(AWS_ENDPOINT_URL_* set by hand win over both), and says which on stderr first. Exit 2 for a\n' +
  'wrong command line or nothing to act on, 1 when the cloud refuses.';
