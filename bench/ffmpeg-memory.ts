import { readdirSync, readFileSync } from 'node:fs';

/**
 * Peak memory of the ffmpeg processes this process runs at once: every `intervalMs` it reads
 * the high-water mark (VmHWM) of each live ffmpeg child and keeps the largest sum. VmHWM only
 * grows, so a spike between two polls is still counted; the sum over processes alive together
 * is an upper bound of what they held at one instant. Linux only (/proc); 0 elsewhere.
 */
export class FfmpegMemoryWatch {
  private peakKb = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 50) {
    this.timer = setInterval(() => this.poll(), intervalMs);
  }

  /** Stops polling; the largest sum seen (KiB). */
  stop(): number {
    clearInterval(this.timer);
    this.poll();
    return this.peakKb;
  }

  private poll(): void {
    let pids: string[];
    try {
      pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
    } catch {
      return;
    }
    let sum = 0;
    for (const pid of pids) {
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        if (!/^Name:\s+ffmpeg$/m.test(status)) continue;
        if (Number(status.match(/^PPid:\s+(\d+)/m)?.[1]) !== process.pid) continue;
        const kb = Number(status.match(/^VmHWM:\s+(\d+) kB/m)?.[1] ?? 0);
        sum += kb;
      } catch {
        // The process ended between the listing and the read.
      }
    }
    this.peakKb = Math.max(this.peakKb, sum);
  }
}
