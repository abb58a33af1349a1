import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type OutputFile, Prediction, type PredictionInit, type PredictionStatus } from './prediction';

/**
 * Replicate keeps its predictions whatever happens to its callers, so its twin keeps them too: each
 * prediction is written to `<workDir>/predictions/<id>.json` whenever it changes, and a server
 * started on the same work folder (the embedded cloud's data folder) serves them again. A restarted
 * RenderScene then finds the prediction its claim recorded, as it would on Replicate.
 *
 * Each write goes to a temporary file renamed over the old one (rename is atomic), so a kill -9 at
 * any moment leaves the last complete version. No fsync: the file only has to survive the process.
 */
/** A prediction as created (less its test-only webhook tampering) and as far as it got. */
interface SavedPrediction extends Omit<PredictionInit, 'tampering'> {
  status: PredictionStatus;
  logs: string;
  error: string | null;
  startedAtMs: number | null;
  completedAtMs: number | null;
  outputFileNames: Array<Omit<OutputFile, 'path'>>;
  outputIsList: boolean;
  inlineOutput: string[] | null;
  /** null when the output was served by this server (its port changes on a restart). */
  foreignOutputOrigin: string | null;
  ownOutput: boolean;
  outputRemoved: boolean;
  removeDataOnCompletion: boolean;
  cancelled: boolean;
  extraMetrics: Record<string, number>;
}

export class SavedPredictions {
  private readonly dir: string;

  constructor(private readonly workDir: string) {
    this.dir = join(workDir, 'predictions');
  }

  save(prediction: Prediction, ownOrigin: string): void {
    const files =
      prediction.outputFiles.length > 0
        ? prediction.outputFiles
        : prediction.outputFile
          ? [prediction.outputFile]
          : [];
    const saved: SavedPrediction = {
      id: prediction.id,
      model: prediction.model,
      version: prediction.version,
      input: prediction.input,
      text: prediction.text,
      createdAtMs: prediction.createdAtMs,
      webhook: prediction.webhook,
      webhookEventsFilter: prediction.webhookEventsFilter,
      faults: prediction.faults,
      status: prediction.status,
      logs: prediction.logs,
      error: prediction.error,
      startedAtMs: prediction.startedAtMs,
      completedAtMs: prediction.completedAtMs,
      outputFileNames: files.map(({ name, contentType, bytes }) => ({ name, contentType, bytes })),
      outputIsList: prediction.outputIsList,
      inlineOutput: prediction.inlineOutput,
      ownOutput: prediction.outputOrigin === ownOrigin,
      foreignOutputOrigin: prediction.outputOrigin === ownOrigin ? null : prediction.outputOrigin,
      outputRemoved: prediction.outputRemoved,
      removeDataOnCompletion: prediction.removeDataOnCompletion,
      cancelled: prediction.cancelled,
      extraMetrics: prediction.extraMetrics,
    };
    mkdirSync(this.dir, { recursive: true });
    const file = join(this.dir, `${prediction.id}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify(saved));
    renameSync(`${file}.tmp`, file);
  }

  /**
   * Every saved prediction, oldest first, as far as it got. One that had not ended when the server
   * stopped is still `starting` or `processing`: Replicate runs a prediction on its own machines,
   * whatever happens to the caller's, so the prediction service runs it again (resume) and it ends
   * and calls its webhook as it would have.
   */
  load(ownOrigin: string): Prediction[] {
    let names: string[];
    try {
      names = readdirSync(this.dir).filter((name) => name.endsWith('.json'));
    } catch {
      return [];
    }
    return names
      .map((name) => JSON.parse(readFileSync(join(this.dir, name), 'utf8')) as SavedPrediction)
      .sort((a, b) => a.createdAtMs - b.createdAtMs)
      .map((saved) => this.restore(saved, ownOrigin));
  }

  private restore(saved: SavedPrediction, ownOrigin: string): Prediction {
    const prediction = new Prediction({
      id: saved.id,
      model: saved.model,
      version: saved.version,
      input: saved.input,
      text: saved.text,
      createdAtMs: saved.createdAtMs,
      webhook: saved.webhook,
      webhookEventsFilter: saved.webhookEventsFilter,
      tampering: { drop: false, forge: false, staleBySec: undefined, duplicateCompleted: false },
      faults: saved.faults,
    });
    prediction.status = saved.status;
    prediction.logs = saved.logs;
    prediction.error = saved.error;
    prediction.startedAtMs = saved.startedAtMs;
    prediction.completedAtMs = saved.completedAtMs;
    prediction.outputFiles = saved.outputFileNames.map((file) => ({
      ...file,
      path: join(this.workDir, saved.id, file.name),
    }));
    prediction.outputFile = prediction.outputFiles[0] ?? null;
    prediction.outputIsList = saved.outputIsList;
    prediction.inlineOutput = saved.inlineOutput;
    prediction.outputOrigin = saved.ownOutput ? ownOrigin : saved.foreignOutputOrigin;
    prediction.outputRemoved = saved.outputRemoved;
    prediction.removeDataOnCompletion = saved.removeDataOnCompletion;
    prediction.cancelled = saved.cancelled;
    prediction.extraMetrics = saved.extraMetrics;
    return prediction;
  }
}
