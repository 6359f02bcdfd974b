/** The pipeline suite (pipeline-suite.ts) on local storage, the embedded default. */
import { pipelineSuite } from './pipeline-suite';

pipelineSuite('local', async () => ({ env: {} }));
