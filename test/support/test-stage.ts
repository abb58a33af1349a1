/**
 * The stage every embedded-cloud suite deploys, the one `npm start` and `npm run up` use. Each
 * suite's cloud is its own (its own ports and throwaway data folder), so sharing the name costs
 * nothing, while the four services are packaged once per machine (about 20 s) instead of once per
 * suite. Names a test builds take the stage from the cloud (`cloud.stage`, `cloud.names`) or from
 * this constant.
 */
export const TEST_STAGE = 'local';
