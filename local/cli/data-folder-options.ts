import type { OptionSpec } from './command-line';

/** The options of every command that starts the local cloud (`npm start`, `npm run up`) about its data folder. */
export const DATA_FOLDER_OPTIONS: OptionSpec[] = [
  {
    name: 'fresh',
    type: 'boolean',
    description: "start with an empty data folder (deletes the stage's stored jobs)",
  },
  {
    name: 'data-dir',
    type: 'string',
    value: 'DIR',
    description: "the cloud's data folder",
    default: '.reelay/data/local/',
  },
];
