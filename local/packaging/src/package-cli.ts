/**
 * `npm run package [-- --stage S] [--region R] [--cached]`: packages every service offline
 * into .reelay/package/<stage>/<service>/ and prints where each template is.
 *
 * Per service rather than `osls-compose package` (which also works offline): compose writes
 * every service into its own .serverless/ and cannot be pointed elsewhere, while the local
 * cloud and the template test read .reelay/package/, and sharing that path and its lock keeps
 * them from packaging the same service at the same time. Deploys go through compose.
 */
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { packageAllServices } from './package-service';
import { DEFAULT_REGION, DEFAULT_STAGE, REPO_ROOT, SERVICES } from './services';
import { ensureStaticFfmpeg } from './static-ffmpeg';

const main = async () => {
  const { values } = parseArgs({
    options: {
      stage: { type: 'string', default: DEFAULT_STAGE },
      region: { type: 'string', default: DEFAULT_REGION },
      // Reuse a package of the same serverless.yml; by default the zips are rebuilt from
      // the current sources.
      cached: { type: 'boolean', default: false },
    },
  });
  const startedAt = Date.now();
  // Deployable zips carry the static ffmpeg of every function that runs it: build it first
  // (minutes, once per machine; then a cache hit). Offline: Debian's sources and libraries.
  const ffmpeg = await ensureStaticFfmpeg((line) => console.log(line));
  console.log(`ffmpeg     static ${ffmpeg.sourceVersion} (${ffmpeg.arch}) from ${ffmpeg.dir}`);
  const packaged = await packageAllServices({
    stage: values.stage,
    region: values.region,
    force: !values.cached,
    // Deployable zips: with the static ffmpeg, ffprobe and caption font where they run.
    ffmpegBinaries: true,
  });
  for (const service of SERVICES) {
    const { dir, template } = packaged[service];
    const resources = Object.keys(template.Resources).length;
    console.log(
      `${service.padEnd(10)} ${relative(REPO_ROOT, dir)}/cloudformation-template-update-stack.json (${resources} resources)`,
    );
  }
  console.log(
    `packaged ${SERVICES.length} services for stage ${values.stage} in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`,
  );
};

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
