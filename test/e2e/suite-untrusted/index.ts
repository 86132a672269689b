// Mocha entry of the untrusted-workspace pass (run.sh starts a second VS Code server, with Workspace Trust on, for it):
// the same runner as test/e2e/suite, over the .test.js files beside this bundle.
export { run } from '../suite/index';
