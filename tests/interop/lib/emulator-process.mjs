// Starts the AckFc emulator as its own process for the SDK tests and resolves once it prints its URL.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * Runs `emulator --urls http://127.0.0.1:0 --quiet` plus `extraArgs`, with the given access key as the emulator's
 * credential and `extraEnv` added to the environment. ACKFC_LOCAL_DLL (set by the .NET test that runs this suite)
 * starts the built runner directly; otherwise `dotnet run` builds it first.
 * Resolves to { child, url }; rejects with everything the process printed if it exits or takes over 180 s.
 */
export function startEmulator({ accessKeyId, accessKeySecret, extraArgs = [], extraEnv = {} }) {
  const emulatorArgs = ['emulator', '--urls', 'http://127.0.0.1:0', ...extraArgs, '--quiet'];
  const dll = process.env.ACKFC_LOCAL_DLL;
  const [command, args] = dll
    ? ['dotnet', [dll, ...emulatorArgs]]
    : ['dotnet', ['run', '--project', path.join(repoRoot, 'functions', 'AckFc.Local'), '--', ...emulatorArgs]];
  const child = spawn(command, args, {
    cwd: repoRoot,
    env: { ...process.env, ALIBABA_CLOUD_ACCESS_KEY_ID: accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: accessKeySecret, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`the emulator did not start within 180 s:\n${output}`)), 180_000);
    child.stdout.on('data', (chunk) => {
      output += chunk.toString();
      const match = /^Emulator listening on (http:\/\/\S+)\s*$/m.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1] });
      }
    });
    child.stderr.on('data', (chunk) => { output += chunk.toString(); });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the emulator exited with code ${code} before listening:\n${output}`));
    });
  });
}
