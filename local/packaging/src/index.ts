export type { CloudFormationOutput, CloudFormationResource, CloudFormationTemplate } from './cloudformation';
export { LockTimeoutError, withDirectoryLock } from './directory-lock';
export {
  type PackagedService,
  type PackageOptions,
  packageAllServices,
  packageService,
  ServicePackagingError,
} from './package-service';
export {
  DEFAULT_REGION,
  DEFAULT_STAGE,
  isServiceName,
  packageDir,
  REPO_ROOT,
  SERVICES,
  type ServiceName,
  serviceDir,
} from './services';
export {
  ensureStaticFfmpeg,
  findStaticFfmpeg,
  hostLambdaArch,
  type LambdaArch,
  type StaticFfmpeg,
  staticFfmpegBuildCommand,
} from './static-ffmpeg';
