/** What the numbers were measured on: they mean nothing without it. */
import os from 'node:os';

export interface MachineInfo { cores: number; cpuModel: string; memoryGb: number; node: string; platform: string; loadAverage: number[] }

export function machineInfo(): MachineInfo {
  return {
    cores: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}
