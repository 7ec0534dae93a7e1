// Ctrl-C (SIGINT) or SIGTERM, as a promise. Listen before saying "Ctrl-C
// stops it": a signal that arrives before any listener kills the process at
// once, without the clean stop (seen: a test that pressed Ctrl-C right after
// the banner ended the dev cluster by SIGINT, its temp folder left behind).

export function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
