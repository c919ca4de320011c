import { loadRoutesOffline } from './offline-context';
import { Option } from 'commander';
import { renderDot } from '../graph/dot';
import { renderMermaid } from '../graph/mermaid';
import { buildRouteGraph } from '../graph/route-graph';
import { routesOrThrow } from '../routes/load';
import type { RegisterCommand } from './commands';
import { DEFAULT_ROUTES_DIR } from './validate';

interface GraphFlags {
  dir: string;
  stage?: string;
  region?: string;
  account?: string;
  format: 'mermaid' | 'dot';
}

/**
 * `psarn graph`: the route map of the route files: each psARN with its split targets (weights as
 * percentages), fanout edges, park queues (marked when parked) and aliases to other psARNs, as a
 * Mermaid flowchart (paste into Markdown) or Graphviz DOT.
 */
export const registerGraph: RegisterCommand = (program, io) => {
  program
    .command('graph')
    .description('print the route map: psARN -> targets, fanout, park queues, aliases')
    .option('--dir <dir>', 'directory of *.yml route files', DEFAULT_ROUTES_DIR)
    .option('--stage <stage>', 'stage whose overrides apply (default PSARN_STAGE or dev)')
    .option('--region <region>', 'value of ${region} (default AWS_REGION or AWS_DEFAULT_REGION)')
    .option('--account <account>', 'value of ${account} (default PSARN_ACCOUNT or AWS_ACCOUNT_ID)')
    .addOption(
      new Option('--format <format>', 'output format').choices(['mermaid', 'dot']).default('mermaid'),
    )
    .action(async (flags: GraphFlags) => {
      const routes = routesOrThrow(await loadRoutesOffline(flags, io));
      const graph = buildRouteGraph(routes);
      io.stdout(flags.format === 'dot' ? renderDot(graph) : renderMermaid(graph));
    });
};
